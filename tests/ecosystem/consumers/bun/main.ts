// Bun: the package as Bun resolves it, TypeScript run directly.
import * as core from "@batch-custom-data/core";
import * as env from "@batch-custom-data/core/env";
import * as read from "@batch-custom-data/core/ids";
import { scenario } from "./scenario.mjs";

const tokens = await scenario({ core, env, read }, JSON.parse(process.argv[2] ?? "{}"));
console.log(`RESULT ${JSON.stringify({ ok: true, tokens, bun: Bun.version })}`);
