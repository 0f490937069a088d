// Chromium driver: a module script of the page harness/chromium.js serves. The page's import
// map points `@batch-custom-data/...` at the built bundles; the served emulator's baseUrl is
// the page's `baseUrl` query parameter. The harness awaits `window.conformance`.
import * as core from "@batch-custom-data/core";
import * as env from "@batch-custom-data/core/env";
import * as ids from "@batch-custom-data/core/ids";
import { createEmulator } from "@batch-custom-data/emulator";
import { cases } from "../suite/conformance.js";
import { runCases } from "../suite/run-cases.js";

const baseUrl = new URL(location.href).searchParams.get("baseUrl") ?? undefined;
window.conformance = runCases(cases, {
  core,
  env,
  ids,
  createEmulator,
  baseUrl,
  runtime: "chromium",
});
