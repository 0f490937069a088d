// Turns what a runtime reported into the counts the root aggregator adds up. A case that
// never reported (a crash, a runtime that did not start, a timeout) counts as failed, and so
// does a runner that exited non-zero with every case green: never zero-and-green.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export function settle(suite, expected, reported = {}) {
  let passed = reported.passed ?? 0;
  let failed = reported.failed ?? 0;
  const notes = [];
  if (reported.error) notes.push(reported.error);
  if (passed + failed < expected) {
    notes.push(`${expected - passed - failed} of ${expected} cases never reported`);
    failed = expected - passed;
  }
  if (reported.exitCode !== undefined && reported.exitCode !== 0 && failed === 0) {
    notes.push(`the runner exited with ${reported.exitCode ?? "a signal"}`);
    failed = 1;
  }
  if (notes.length > 0 && failed === 0) failed = 1;
  passed = Math.max(0, passed);
  return { suite, passed, failed, ...(notes.length > 0 ? { notes } : {}) };
}

export function writeResult(dir, result) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${result.suite}.json`), `${JSON.stringify(result, null, 2)}\n`);
}

/** One line per case, for the runtimes that have no reporter of their own. */
export function printCases(label, results = []) {
  for (const { name, ok, ms, error } of results) {
    const line = ok ? `✓ ${name} (${ms} ms)` : `✗ ${name}: ${error}`;
    (ok ? process.stdout : process.stderr).write(`[${label}] ${line}\n`);
  }
}
