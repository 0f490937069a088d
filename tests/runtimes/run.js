#!/usr/bin/env node
// The runtime matrix: `node run.js [node] [deno] [workerd] [chromium]` (all four by default).
// Serves one emulator on 127.0.0.1 for the network cases, runs the conformance suite in each
// runtime side by side, writes `.test-results/<runtime>.json`, exits non-zero on any failure.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEmulator, serve } from "@batch-custom-data/emulator/node";
import { API_KEY, REST_KEY } from "@batch-custom-data/test-helpers";
import { bundleModules } from "./harness/bundle.js";
import { runChromium } from "./harness/chromium.js";
import { runDeno } from "./harness/deno.js";
import { runNode } from "./harness/node.js";
import { coreDist, resultsDir } from "./harness/paths.js";
import { withRedirects } from "./harness/redirect.js";
import { settle, writeResult } from "./harness/results.js";
import { runWorkerd } from "./harness/workerd.js";
import { cases } from "./suite/conformance.js";

const RUNTIMES = { node: runNode, deno: runDeno, workerd: runWorkerd, chromium: runChromium };
/** A runtime gets this long in all (the suite takes seconds); then it is killed and fails. */
const RUNTIME_TIMEOUT_MS = 180_000;

const selected = process.argv.slice(2);
const unknown = selected.filter((name) => !(name in RUNTIMES));
if (unknown.length > 0) {
  console.error(`unknown runtime ${unknown.join(", ")}; pick from ${Object.keys(RUNTIMES)}`);
  process.exit(2);
}
const runtimes = selected.length > 0 ? selected : Object.keys(RUNTIMES);

const started = Date.now();
const tmp = mkdtempSync(join(tmpdir(), "runtime-tests-"));
let served;
let results;
try {
  const setup = await prepare();
  served = setup.served;
  results = await Promise.all(
    runtimes.map((name) => runOne(name, setup.error ? { error: setup.error } : setup.options)),
  );
} finally {
  await served?.close();
  rmSync(tmp, { recursive: true, force: true });
}

console.log("\nruntime matrix:");
for (const { suite, passed, failed, notes = [] } of results) {
  console.log(
    `  ${suite}: ${passed} passed, ${failed} failed${notes.map((n) => `; ${n}`).join("")}`,
  );
}
console.log(`  ${((Date.now() - started) / 1000).toFixed(1)} s, results in ${resultsDir}`);
process.exitCode = results.some((r) => r.failed > 0 || r.passed === 0) ? 1 : 0;

/** The core to test, the bundles of the emulator and the keys, the served emulator; an error fails every runtime. */
async function prepare() {
  try {
    const core = coreDist();
    console.log(`core under test: ${core}`);
    const bundles = await bundleModules(tmp);
    const emulator = createEmulator({ apps: [API_KEY], restApiKey: REST_KEY, cors: true });
    // The emulator, plus a redirecting route for the redirect case (harness/redirect.js).
    const served = await serve(
      { fetch: withRedirects((request) => emulator.fetch(request)) },
      { hostname: "127.0.0.1", port: 0 },
    );
    console.log(`emulator served at ${served.baseUrl}`);
    const options = { baseUrl: served.baseUrl, coreDist: core, bundles, tmp };
    return { served: { close: () => served.close().finally(() => emulator.close()) }, options };
  } catch (error) {
    console.error(`setup failed: ${error.message}`);
    return { error: `setup failed: ${error.message}` };
  }
}

async function runOne(name, options) {
  const signal = AbortSignal.timeout(RUNTIME_TIMEOUT_MS);
  const t0 = Date.now();
  let reported;
  try {
    reported = options.error ? options : await RUNTIMES[name]({ ...options, signal });
  } catch (error) {
    console.error(`[${name}] did not run: ${error.stack ?? error}`);
    reported = { error: `did not run: ${error.message ?? error}` };
  }
  if (signal.aborted) reported = { ...reported, error: `killed after ${RUNTIME_TIMEOUT_MS} ms` };
  const result = settle(name, cases.length, reported);
  writeResult(resultsDir, result);
  console.log(`[${name}] done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return result;
}
