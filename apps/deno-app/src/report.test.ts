import assert from "node:assert/strict";
import {
  BatchAbortError,
  BatchValidationError,
  type DeleteUsersReport,
} from "@batch-custom-data/deno";
import { buildReport, humanReport } from "./report.ts";

const base = (over: Partial<DeleteUsersReport> = {}): DeleteUsersReport => ({
  requested: 3,
  confirmed: 3,
  failed: 0,
  skipped: 0,
  calls: 1,
  tokens: [{ app: "0", chunk: 0, ids: 3, token: "t" }],
  failures: [],
  failedIds: [],
  complete: true,
  durationMs: 10,
  ...over,
});

const failure = (status: number, name: string, ids = ["a"]) => ({
  app: "0",
  chunk: 0,
  ids,
  attempted: true,
  error: { name, message: `HTTP ${status}`, status, retryable: false, attempts: 1 },
});

Deno.test("exit 0 only when every id was confirmed and the input read to the end", () => {
  assert.equal(buildReport({ report: base(), unsent: [] }).exitCode, 0);
  assert.equal(buildReport({ report: base({ complete: false }), unsent: [] }).exitCode, 1);
});

Deno.test("exit 1 when ids failed; 2 when the API refused the configuration", () => {
  const failed = base({ confirmed: 2, failed: 1, failedIds: ["a"] });
  const app = buildReport({
    report: { ...failed, failures: [failure(500, "SERVER_ERROR")] },
    unsent: [],
  });
  assert.equal(app.exitCode, 1);
  for (const [status, name] of [
    [401, "AUTHENTICATION_INVALID"],
    [403, "API_MISUSE"],
    [404, "ROUTE_NOT_FOUND"],
  ] as const) {
    const refused = buildReport({
      report: { ...failed, failures: [failure(status, name)] },
      unsent: [],
    });
    assert.equal(refused.exitCode, 2, name);
    assert.equal(refused.error?.name, name);
  }
});

Deno.test("a validation error from the stream is exit 2; an abort after a stop is the stop's code", () => {
  const thrown = new BatchValidationError("stdin line 3: bad");
  assert.equal(buildReport({ report: base({ complete: false }), thrown, unsent: [] }).exitCode, 2);
  const stopped = { exitCode: 130, reason: "interrupted by SIGINT: calls in flight were aborted" };
  const aborted = buildReport({
    report: base({ complete: false }),
    thrown: new BatchAbortError("aborted"),
    unsent: [],
    stopped,
  });
  assert.equal(aborted.exitCode, 130);
  assert.equal(aborted.error?.message, "Interrupted by SIGINT: calls in flight were aborted.");
});

Deno.test("chunks left unsent by a stop are failed ids, not skipped ones", () => {
  const report = base({ requested: 5, skipped: 2 });
  const app = buildReport({
    report,
    unsent: [["d", "e"]],
    stopped: { exitCode: 143, reason: "interrupted by SIGTERM" },
  });
  assert.equal(app.exitCode, 143);
  assert.equal(app.interrupted, true);
  assert.equal(app.complete, false);
  assert.deepEqual([app.confirmed, app.failed, app.skipped], [3, 2, 0]);
  assert.deepEqual(app.failedIds, ["d", "e"]);
  assert.equal(app.failures[0]?.attempted, false);
  assert.match(humanReport(app, "ids.txt"), /Failed: not sent, 2 ids: Interrupted/);
});

Deno.test("the human report lists at most 1,000 failed ids", () => {
  const ids = Array.from({ length: 1500 }, (_, i) => `id-${i}`);
  const app = buildReport({
    report: base({ requested: 1500, confirmed: 0, failed: 1500, failedIds: ids }),
    unsent: [],
  });
  const text = humanReport(app, "stdin");
  assert.match(text, /Failed ids \(first 1,000; --json lists all\):/);
  assert.equal(text.split("\n").filter((line) => line.startsWith('  "id-')).length, 1000);
});
