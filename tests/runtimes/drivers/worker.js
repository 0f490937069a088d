// workerd driver: a Worker (no nodejs_compat) that runs the suite on any request and answers
// with the results as JSON. harness/workerd.js registers the core and the emulator as modules
// named `@batch-custom-data/...`; the served emulator's baseUrl is the EMULATOR_BASE_URL binding.
import * as core from "@batch-custom-data/core";
import * as coreEnv from "@batch-custom-data/core/env";
import * as ids from "@batch-custom-data/core/ids";
import { createEmulator } from "@batch-custom-data/emulator";
import { cases } from "../suite/conformance.js";
import { runCases } from "../suite/run-cases.js";

export default {
  async fetch(_request, env) {
    const ctx = {
      core,
      env: coreEnv, // `env` here is the Worker's own bindings
      ids,
      createEmulator,
      baseUrl: env.EMULATOR_BASE_URL,
      runtime: "workerd",
    };
    return Response.json(await runCases(cases, ctx));
  },
};
