import { describe, expect, it } from "vitest";
import {
  BatchAbortError,
  BatchApiError,
  BatchDeleteError,
  BatchError,
  BatchNetworkError,
  BatchTimeoutError,
  BatchValidationError,
} from "./errors.js";
import { summarize } from "./report.js";

describe("error classes", () => {
  it.each([
    [BatchError, "BatchError", false],
    [BatchNetworkError, "BatchNetworkError", true],
    [BatchTimeoutError, "BatchTimeoutError", true],
    [BatchAbortError, "BatchAbortError", false],
    [BatchValidationError, "BatchValidationError", false],
    [BatchDeleteError, "BatchDeleteError", false],
  ])(
    "%o: explicit name, retryable %s, instanceof Error and BatchError",
    (Class, name, retryable) => {
      const error = new Class("msg");
      expect(error).toBeInstanceOf(Error);
      expect(error).toBeInstanceOf(BatchError);
      expect(error.name).toBe(name);
      expect(error.retryable).toBe(retryable);
      expect(error.attempts).toBe(0);
      expect(String(error)).toBe(`${name}: msg`);
    },
  );

  it("BatchApiError takes its name, status, code and retryability from the error kind", () => {
    const error = new BatchApiError(
      { name: "TOO_MANY_REQUESTS", status: 429, code: 60, retryable: true },
      "HTTP 429",
      1500,
    );
    expect(error).toMatchObject({
      name: "TOO_MANY_REQUESTS",
      status: 429,
      code: 60,
      retryable: true,
      retryAfterMs: 1500,
      message: "HTTP 429",
    });
    expect(String(error)).toBe("TOO_MANY_REQUESTS: HTTP 429");
  });

  it("JSON.stringify prints the public fields and the message, never the stack", () => {
    const error = Object.assign(new BatchNetworkError("Network error: reset"), {
      code: "ECONNRESET",
      attempts: 3,
      request: { method: "DELETE", url: "https://x/1.0/***/data/users", app: "ios" },
    });
    const printed = JSON.parse(JSON.stringify(error));
    expect(printed).toEqual({
      name: "BatchNetworkError",
      retryable: true,
      attempts: 3,
      code: "ECONNRESET",
      request: { method: "DELETE", url: "https://x/1.0/***/data/users", app: "ios" },
      message: "Network error: reset",
    });
    expect(JSON.stringify(error)).not.toContain("at ");
  });
});

describe("summarize", () => {
  it("keeps what prints safely", () => {
    const error = Object.assign(
      new BatchApiError(
        { name: "SERVER_ERROR", status: 500, code: 1, retryable: true },
        "HTTP 500",
      ),
      { attempts: 6 },
    );
    expect(summarize(error)).toEqual({
      name: "SERVER_ERROR",
      message: "HTTP 500",
      status: 500,
      code: 1,
      retryable: true,
      attempts: 6,
    });
  });

  it("works on anything thrown, not only our errors", () => {
    expect(summarize("boom" as never)).toEqual({
      name: "Error",
      message: "boom",
      status: undefined,
      code: undefined,
      retryable: false,
      attempts: 0,
    });
    expect(summarize(new RangeError("bad") as never)).toMatchObject({
      name: "RangeError",
      message: "bad",
      retryable: false,
    });
  });
});
