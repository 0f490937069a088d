// Bun: the package as Bun resolves it, TypeScript run directly.
import * as core from "@batch-custom-data/core";
import { scenario } from "./scenario.mjs";

const tokens = await scenario(core, JSON.parse(process.argv[2] ?? "{}"));
console.log(`RESULT ${JSON.stringify({ ok: true, tokens, bun: Bun.version })}`);
