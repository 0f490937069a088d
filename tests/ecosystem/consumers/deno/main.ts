// Deno: the tarballs installed by npm into node_modules, resolved through package.json. Run
// with --allow-net=127.0.0.1, the adapter's --allow-env list and --allow-read=ids.txt, nothing
// more; `deno check` type-checks it first.
import * as core from "@batch-custom-data/core";
import * as env from "@batch-custom-data/core/env";
import * as read from "@batch-custom-data/core/ids";
import { ALLOW_ENV, createClientFromEnv, readIds } from "@batch-custom-data/deno";
import { scenario } from "./scenario.mjs";

const config = JSON.parse(Deno.args[0] ?? "{}");
const tokens: string[] = await scenario({ core, env, read }, config);

// The Deno adapter: BATCH_* read from Deno.env (only those), ids read from a file.
if (!ALLOW_ENV.startsWith("--allow-env=BATCH_")) throw new Error(`ALLOW_ENV is ${ALLOW_ENV}`);
const report: core.DeleteUsersReport = await createClientFromEnv().deleteUsers(readIds("ids.txt"));
if (report.confirmed !== config.ids.length - 5) throw new Error("the file's ids were not deleted");

const all = [...tokens, ...report.tokens.map((t) => t.token)];
console.log(`RESULT ${JSON.stringify({ ok: true, tokens: all, deno: Deno.version.deno })}`);
