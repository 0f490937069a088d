import {
  BatchAbortError,
  BatchHookError,
  BatchSourceError,
  type DeleteUsersReport,
  type ErrorSummary,
  IdReadError,
} from "@batch-custom-data/node";
import { describe, expect, it } from "vitest";
import { configurationHint, decide } from "./outcome.js";
import { JournalWriteError } from "./run.js";

const report = (over: Partial<DeleteUsersReport> = {}): DeleteUsersReport => ({
  requested: 2,
  confirmed: 2,
  failed: 0,
  skipped: 0,
  calls: 1,
  tokens: [],
  failures: [],
  failedIds: [],
  complete: true,
  durationMs: 1,
  ...over,
});
const calm = { signalName: undefined, aborted: undefined, exitCode: 130 } as const;
const summary = (over: Partial<ErrorSummary>): ErrorSummary => ({
  name: "X",
  message: "m",
  retryable: false,
  attempts: 1,
  ...over,
});

describe("decide", () => {
  it("0 when every id was confirmed; 1 when some were not, or the input was not read through", () => {
    expect(decide({ report: report() }, calm, 10_000)).toEqual({ exitCode: 0 });
    expect(decide({ report: report({ failed: 1 }) }, calm, 10_000)).toEqual({ exitCode: 1 });
    expect(decide({ report: report({ complete: false }) }, calm, 10_000)).toEqual({ exitCode: 1 });
  });

  it("a signal: 130 or 143, saying what became of the calls in flight", () => {
    const stopped = (signalName: "SIGINT" | "SIGTERM", aborted?: "signal" | "grace") =>
      decide(
        {
          report: report({
            complete: false,
            stoppedBy: aborted ? { reason: "abort", error: summary({}) } : { reason: "stop" },
          }),
          error: aborted && new BatchAbortError("x"),
        },
        { signalName, aborted, exitCode: signalName === "SIGINT" ? 130 : 143 },
        1500,
      );
    expect(stopped("SIGINT")).toEqual({
      exitCode: 130,
      error: {
        name: "Stopped",
        message: "Stopped by SIGINT: nothing was sent after it, and calls in flight finished.",
      },
    });
    expect(stopped("SIGTERM", "grace")).toMatchObject({
      exitCode: 143,
      error: {
        message: expect.stringMatching(/calls still in flight after 1\.5 s were aborted\.$/),
      },
    });
    expect(stopped("SIGINT", "signal").error?.message).toMatch(/aborted by a second signal/);
  });

  it("the API refusing the configuration (a halt): exit 2 with what to fix", () => {
    for (const [error, hint] of [
      [
        summary({ status: 401, name: "AUTHENTICATION_INVALID" }),
        /check BATCH_API_KEY and BATCH_REST_API_KEY/,
      ],
      [summary({ status: 403, name: "API_MISUSE" }), /Custom Data API \(Premier or Enterprise\)/],
      [summary({ status: 404, name: "ROUTE_NOT_FOUND" }), /it must end in \/1\.0/],
      [
        summary({ status: 301, name: "REDIRECTED" }),
        /a redirect, which a deletion client never follows/,
      ],
    ] as const) {
      const outcome = decide(
        { report: report({ stoppedBy: { reason: "halt", error }, failed: 2 }) },
        calm,
        1,
      );
      expect(outcome).toMatchObject({ exitCode: 2, error: { name: error.name } });
      expect(outcome.error?.message).toMatch(hint);
    }
    expect(
      decide({ report: report({ stoppedBy: { reason: "halt" } }) }, calm, 1).error?.message,
    ).toMatch(/refused the configuration/);
  });

  it("the circuit breaker: exit 1, the API seems down, with the last error", () => {
    const outcome = decide(
      {
        report: report({
          stoppedBy: {
            reason: "breaker",
            error: summary({ name: "SERVICE_UNAVAILABLE", status: 503 }),
          },
        }),
      },
      calm,
      1,
    );
    expect(outcome.exitCode).toBe(1);
    expect(outcome.error?.message).toMatch(
      /^Stopped sending: calls kept failing after every retry.*\(the last: SERVICE_UNAVAILABLE, HTTP 503\)/,
    );
  });

  it("a journal that cannot be written, a bad row, a read error: named", () => {
    const journal = new JournalWriteError("j", new Error("EFBIG"));
    const hook = new BatchHookError("deleteUsers stopped: its onChunk hook threw: …", {
      hook: "onChunk",
      cause: journal,
    });
    const byHook = report({
      stoppedBy: { reason: "hook", error: summary({ name: "BatchHookError" }) },
    });
    expect(decide({ report: byHook, error: hook }, calm, 1)).toEqual({
      exitCode: 1,
      error: { name: "JournalWriteError", message: journal.message },
    });
    expect(decide({ report: byHook, error: new Error("other") }, calm, 1)).toEqual({
      exitCode: 1,
      error: { name: "BatchHookError", message: "m" },
    });

    const row = new IdReadError("stdin", 3, "not valid JSON.");
    const bySource = report({ stoppedBy: { reason: "source", error: summary({}) } });
    expect(decide({ report: bySource, error: row }, calm, 1)).toEqual({
      exitCode: 2,
      error: {
        name: "IdReadError",
        message:
          "stdin line 3: not valid JSON. Fix the input and run again (with --resume to skip what was done).",
      },
    });
    const read = new BatchSourceError("reading ids failed: EIO", { cause: new Error("EIO") });
    expect(
      decide(
        {
          report: report({
            stoppedBy: {
              reason: "source",
              error: summary({ name: "BatchSourceError", message: "EIO" }),
            },
          }),
          error: read,
        },
        calm,
        1,
      ),
    ).toEqual({ exitCode: 1, error: { name: "BatchSourceError", message: "EIO" } });
    expect(
      decide({ report: report({ stoppedBy: { reason: "source" } }), error: read }, calm, 1),
    ).toEqual({ exitCode: 1, error: { name: "Error", message: "the input could not be read" } });
    expect(decide({ report: report({ stoppedBy: { reason: "stop" } }) }, calm, 1)).toEqual({
      exitCode: 1,
      error: { name: "Error", message: "stopped (stop)" },
    });
  });

  it("hints name HTTP status, code and error name", () => {
    expect(
      configurationHint(
        summary({ name: "AUTHENTICATION_INVALID", message: "Invalid key.", status: 401, code: 10 }),
      ),
    ).toBe(
      "The API refused the call (HTTP 401, code 10, AUTHENTICATION_INVALID): check BATCH_API_KEY and BATCH_REST_API_KEY (and BATCH_BASE_URL or --base-url). Invalid key.",
    );
  });
});
