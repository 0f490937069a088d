// Deno driver: each case is a `Deno.test`. `@batch-custom-data/core` and `.../emulator` come
// from the import map that harness/deno.js writes (the built ESM files, as a Deno user would
// map them); the served emulator's baseUrl is the first script argument, so no env access.
import * as core from "@batch-custom-data/core";
import * as env from "@batch-custom-data/core/env";
import * as ids from "@batch-custom-data/core/ids";
import { createEmulator } from "@batch-custom-data/emulator";
import { cases } from "../suite/conformance.js";
import { CASE_TIMEOUT_MS, withTimeout } from "../suite/run-cases.js";

const ctx = { core, env, ids, createEmulator, baseUrl: Deno.args[0], runtime: "deno" };

for (const { name, fn } of cases) {
  Deno.test(name, () => withTimeout(() => fn(ctx), CASE_TIMEOUT_MS, name));
}
