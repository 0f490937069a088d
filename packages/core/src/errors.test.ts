import { describe, expect, it } from "vitest";
import {
  BatchAbortError,
  BatchApiError,
  BatchDeleteError,
  BatchError,
  BatchHookError,
  BatchNetworkError,
  BatchSourceError,
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
    const error = new BatchApiError("HTTP 429", {
      name: "TOO_MANY_REQUESTS",
      status: 429,
      code: 60,
      retryable: true,
      retryAfterMs: 1500,
    });
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
    const error = new BatchNetworkError("Network error: reset", {
      code: "ECONNRESET",
      attempts: 3,
      request: { method: "DELETE", url: "https://x/1.0/***/data/users", app: "ios" },
      cause: new Error("not printed"),
    });
    const printed = JSON.parse(JSON.stringify(error));
    expect(printed).toEqual({
      name: "BatchNetworkError",
      retryable: true,
      attempts: 3,
      code: "ECONNRESET",
      request: { method: "DELETE", url: "https://x/1.0/***/data/users", app: "ios" },
      message: "Network error: reset [DELETE https://x/1.0/***/data/users, app ios, attempt 3]",
    });
    expect(JSON.stringify(error)).not.toContain("at ");
  });
});

describe("summarize", () => {
  it("keeps what prints safely", () => {
    const error = new BatchApiError("HTTP 500", {
      name: "SERVER_ERROR",
      status: 500,
      code: 1,
      retryable: true,
      attempts: 6,
    });
    expect(summarize(error)).toEqual({
      name: "SERVER_ERROR",
      message: "HTTP 500",
      status: 500,
      code: 1,
      retryable: true,
      attempts: 6,
    });
  });

  it("keeps how long the server asked to wait, only when it said", () => {
    const limited = new BatchApiError("HTTP 429", {
      name: "TOO_MANY_REQUESTS",
      status: 429,
      code: 60,
      retryable: true,
      attempts: 3,
      retryAfterMs: 7000,
    });
    expect(summarize(limited).retryAfterMs).toBe(7000);
    expect(
      "retryAfterMs" in
        summarize(new BatchApiError("x", { name: "SERVER_ERROR", status: 500, retryable: true })),
    ).toBe(false);
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

describe("errors are built whole", () => {
  const request = {
    method: "DELETE",
    url: "https://x/1.0/***/data/users/{id}",
    app: "ios",
  } as const;

  it("BatchApiError: name, status, code, retryability, Retry-After and the request are constructor arguments", () => {
    const error = new BatchApiError("HTTP 503, code 2", {
      name: "MAINTENANCE_ERROR",
      status: 503,
      code: 2,
      retryable: true,
      retryAfterMs: 1000,
      request,
      attempts: 3,
    });
    expect(error).toMatchObject({
      name: "MAINTENANCE_ERROR",
      status: 503,
      code: 2,
      retryable: true,
      retryAfterMs: 1000,
      request,
      attempts: 3,
    });
    // The request context is part of the message from the start, not appended after a throw.
    expect(error.message).toBe(
      "HTTP 503, code 2 [DELETE https://x/1.0/***/data/users/{id}, app ios, attempt 3]",
    );
  });

  it("BatchNetworkError and BatchTimeoutError take their code, request and attempts", () => {
    const network = new BatchNetworkError("Network error: reset", {
      code: "ECONNRESET",
      request,
      attempts: 2,
    });
    expect(network).toMatchObject({ code: "ECONNRESET", request, attempts: 2, retryable: true });
    const timeout = new BatchTimeoutError("No answer", { request, attempts: 1 });
    expect(timeout).toMatchObject({ request, attempts: 1, retryable: true });
  });

  it("cause and report are constructor arguments too", () => {
    const report = { requested: 1 } as never;
    const cause = "not an Error";
    const error = new BatchHookError("The onChunk hook threw: not an Error", {
      hook: "onChunk",
      cause,
      report,
    });
    expect(error).toMatchObject({ name: "BatchHookError", hook: "onChunk", report });
    expect(error.cause).toBe(cause);
    const source = new BatchSourceError("Reading ids failed: EIO", {
      cause: new Error("EIO"),
      report,
    });
    expect(source.report).toBe(report);
    expect(new BatchDeleteError("1 of 1", { report }).report).toBe(report);
  });
});
