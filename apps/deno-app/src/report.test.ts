import assert from "node:assert/strict";
import {
  BatchAbortError,
  BatchSourceError,
  type DeleteUsersReport,
  type ErrorSummary,
  IdReadError,
  type StoppedBy,
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

const summary = (name: string, status?: number): ErrorSummary => ({
  name,
  message: status ? `HTTP ${status}` : name,
  status,
  retryable: false,
  attempts: 1,
});

/** A run whose first chunk failed in app 0 and stopped for `stoppedBy`. */
const failed = (stoppedBy?: StoppedBy, error = summary("SERVER_ERROR", 500)) =>
  base({
    confirmed: 2,
    failed: 1,
    failedIds: ["a"],
    failures: [{ app: "0", chunk: 0, ids: ["a"], attempted: true, error }],
    ...(stoppedBy ? { stoppedBy } : {}),
  });

/** No signal came. */
const calm = { signalName: undefined, aborted: undefined, graceMs: 10_000, exitCode: 130 };

Deno.test("exit 0 only when every id was confirmed and the input read to the end", () => {
  const ok = buildReport({ report: base() }, calm);
  assert.deepEqual([ok.exitCode, ok.ok, ok.interrupted, ok.error], [0, true, false, undefined]);
  assert.equal(buildReport({ report: base({ complete: false }) }, calm).exitCode, 1);
});

Deno.test("exit 1 when ids failed; the report is the core's, as it is", () => {
  const report = failed();
  const app = buildReport({ report }, calm);
  assert.equal(app.exitCode, 1);
  assert.equal(app.error, undefined);
  const { ok: _, exitCode: __, interrupted: ___, ...core } = app;
  assert.deepEqual(core, report);
});

Deno.test("a halt (401, 403, 404, a redirect) is exit 2 with what to check", () => {
  for (const [status, name] of [
    [401, "AUTHENTICATION_INVALID"],
    [403, "API_MISUSE"],
    [404, "ROUTE_NOT_FOUND"],
  ] as const) {
    const error = summary(name, status);
    const app = buildReport({ report: failed({ reason: "halt", error }, error) }, calm);
    assert.equal(app.exitCode, 2, name);
    assert.equal(app.error?.name, name);
    assert.match(
      app.error?.message ?? "",
      /check BATCH_API_KEY, BATCH_REST_API_KEY and BATCH_BASE_URL/,
    );
  }
  const redirect = summary("REDIRECTED");
  const app = buildReport({ report: failed({ reason: "halt", error: redirect }, redirect) }, calm);
  assert.equal(app.exitCode, 2);
  assert.match(
    app.error?.message ?? "",
    /a redirect, which a deletion client never follows: check BATCH_BASE_URL/,
  );
});

Deno.test("a bad row from the stream is exit 2; a source that fails otherwise is exit 1", () => {
  const bad = new IdReadError("stdin", 3, "the id is empty.");
  const row = buildReport(
    {
      report: base({ complete: false, stoppedBy: { reason: "source", error: summary(bad.name) } }),
      error: bad,
    },
    calm,
  );
  assert.equal(row.exitCode, 2);
  assert.deepEqual(row.error, { name: "IdReadError", message: "stdin line 3: the id is empty." });
  const broken = new BatchSourceError("deleteUsers stopped: reading ids failed: EIO", {
    cause: new Error("EIO"),
  });
  const read = buildReport(
    {
      report: base({
        complete: false,
        stoppedBy: { reason: "source", error: summary(broken.name) },
      }),
      error: broken,
    },
    calm,
  );
  assert.equal(read.exitCode, 1);
});

Deno.test("the circuit breaker is exit 1, saying the API looks down", () => {
  const error = summary("SERVICE_UNAVAILABLE", 503);
  const app = buildReport({ report: failed({ reason: "breaker", error }, error) }, calm);
  assert.equal(app.exitCode, 1);
  assert.equal(app.error?.name, "CircuitBreaker");
  assert.match(app.error?.message ?? "", /SERVICE_UNAVAILABLE, HTTP 503/);
});

Deno.test("a stop is the signal's exit code, and says what became of the calls in flight", () => {
  const stopped = buildReport(
    { report: failed({ reason: "stop" }) },
    { ...calm, signalName: "SIGTERM", exitCode: 143 },
  );
  assert.deepEqual([stopped.exitCode, stopped.interrupted], [143, true]);
  assert.equal(
    stopped.error?.message,
    "Interrupted by SIGTERM: no new calls were sent, calls in flight finished.",
  );
  const abort = new BatchAbortError("aborted");
  const aborted = { reason: "abort", error: summary(abort.name) } as const;
  const bySignal = buildReport(
    { report: failed(aborted), error: abort },
    { ...calm, signalName: "SIGINT", aborted: "signal" },
  );
  assert.equal(bySignal.exitCode, 130);
  assert.equal(bySignal.error?.message, "Interrupted by SIGINT: calls in flight were aborted.");
  const byGrace = buildReport(
    { report: failed(aborted), error: abort },
    { ...calm, signalName: "SIGINT", aborted: "grace", graceMs: 1_500 },
  );
  assert.equal(
    byGrace.error?.message,
    "Interrupted by SIGINT: no new calls were sent, calls still in flight after 1.5 s were aborted.",
  );
});

Deno.test("ids read but not sent show as not sent, in every app", () => {
  const stopped: ErrorSummary = { ...summary("STOPPED"), retryable: true, attempts: 0 };
  const report = base({
    requested: 5,
    failed: 2,
    failedIds: ["d", "e"],
    complete: false,
    stoppedBy: { reason: "stop" },
    failures: ["ios", "android"].map((app) => ({
      app,
      chunk: 1,
      ids: ["d", "e"],
      attempted: false,
      error: stopped,
    })),
  });
  const text = humanReport(buildReport({ report }, { ...calm, signalName: "SIGINT" }), "ids.txt");
  assert.match(text, /^Not done: 3 of 5 ids from ids\.txt confirmed in every app; 2 failed;/);
  assert.match(text, /Failed: chunk 1, app ios, not sent, 2 ids: STOPPED/);
  assert.match(text, /Failed: chunk 1, app android, not sent, 2 ids: STOPPED/);
});

Deno.test("the human report lists at most 1,000 failed ids", () => {
  const ids = Array.from({ length: 1500 }, (_, i) => `id-${i}`);
  const app = buildReport(
    { report: base({ requested: 1500, confirmed: 0, failed: 1500, failedIds: ids }) },
    calm,
  );
  const text = humanReport(app, "stdin");
  assert.match(text, /Failed ids \(first 1,000; --json lists all\):/);
  assert.equal(text.split("\n").filter((line) => line.startsWith('  "id-')).length, 1000);
});
