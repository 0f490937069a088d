// Node driver: each case is a vitest test. The core and the emulator are the workspace
// packages, imported as a Node user would (vitest.config.js swaps in CORE_DIST when set).
import * as core from "@batch-custom-data/core";
import * as env from "@batch-custom-data/core/env";
import * as ids from "@batch-custom-data/core/ids";
import { createEmulator } from "@batch-custom-data/emulator";
import { test } from "vitest";
import { cases } from "../suite/conformance.js";
import { CASE_TIMEOUT_MS } from "../suite/run-cases.js";

const ctx = {
  core,
  env,
  ids,
  createEmulator,
  baseUrl: process.env.EMULATOR_BASE_URL,
  runtime: "node",
};

for (const { name, fn } of cases) test(name, () => fn(ctx), CASE_TIMEOUT_MS);
