// Deno: the tarball installed by npm into node_modules, resolved through package.json.
// Run with --allow-net=127.0.0.1 and nothing else; `deno check` type-checks it first.
import * as core from "@batch-custom-data/core";
import * as env from "@batch-custom-data/core/env";
import * as read from "@batch-custom-data/core/ids";
import { scenario } from "./scenario.mjs";

const config = JSON.parse(Deno.args[0] ?? "{}");
const options: core.ClientOptions = {
  apiKey: config.apiKey,
  restApiKey: config.restApiKey,
  baseUrl: config.baseUrl,
};
// An empty list sends nothing: a typed call that needs no id.
const empty: core.DeleteUsersReport = await core.createClient(options).deleteUsers([]);
if (empty.requested !== 0) throw new Error("an empty list sent something");

const tokens: string[] = await scenario({ core, env, read }, config);
console.log(`RESULT ${JSON.stringify({ ok: true, tokens, deno: Deno.version.deno })}`);
