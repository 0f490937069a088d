import {
  BatchAbortError,
  BatchValidationError,
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
const failure = (error: Partial<ErrorSummary>) => ({
  app: "0",
  chunk: 0,
  ids: ["a"],
  attempted: true,
  error: { name: "X", message: "m", retryable: false, attempts: 1, ...error },
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
        { report: report({ complete: false }), error: aborted && new BatchAbortError("x") },
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
      error: { message: /calls still in flight after 1\.5 s were aborted\.$/ },
    });
    expect(stopped("SIGINT", "signal").error?.message).toMatch(/aborted by a second signal/);
  });

  it("the API refusing the configuration (401, 403, 404): exit 2 with what to fix", () => {
    for (const [status, hint] of [
      [401, /check BATCH_API_KEY and BATCH_REST_API_KEY/],
      [403, /Custom Data API \(Premier or Enterprise\)/],
      [404, /it must end in \/1\.0/],
    ] as const) {
      const outcome = decide(
        { report: report({ failures: [failure({ status, name: "N" })] }) },
        calm,
        1,
      );
      expect(outcome.exitCode).toBe(2);
      expect(outcome.error?.message).toMatch(hint);
    }
    expect(
      decide({ report: report({ failures: [failure({ status: 400 })], failed: 1 }) }, calm, 1),
    ).toEqual({ exitCode: 1 });
  });

  it("a journal that cannot be written, a bad row, anything else: named", () => {
    const journal = new JournalWriteError("j", new Error("EFBIG"));
    expect(decide({ report: report(), error: journal }, calm, 1)).toEqual({
      exitCode: 1,
      error: { name: "JournalWriteError", message: journal.message },
    });
    const row = new IdReadError("stdin", 3, "not valid JSON.");
    expect(decide({ report: report(), error: row }, calm, 1)).toEqual({
      exitCode: 2,
      error: {
        name: "IdReadError",
        message:
          "stdin line 3: not valid JSON. Fix the input and run again (with --resume to skip what was done).",
      },
    });
    expect(
      decide({ report: report(), error: new BatchValidationError("v") }, calm, 1).exitCode,
    ).toBe(2);
    expect(decide({ report: report(), error: new RangeError("r") }, calm, 1)).toEqual({
      exitCode: 1,
      error: { name: "RangeError", message: "r" },
    });
    expect(decide({ report: report(), error: "thrown text" }, calm, 1)).toEqual({
      exitCode: 1,
      error: { name: "Error", message: "thrown text" },
    });
  });

  it("hints name HTTP status, code and error name", () => {
    expect(
      configurationHint({
        name: "AUTHENTICATION_INVALID",
        message: "Invalid key.",
        status: 401,
        code: 10,
        retryable: false,
        attempts: 1,
      }),
    ).toBe(
      "The API refused the call (HTTP 401, code 10, AUTHENTICATION_INVALID): check BATCH_API_KEY and BATCH_REST_API_KEY (and BATCH_BASE_URL or --base-url). Invalid key.",
    );
  });
});
