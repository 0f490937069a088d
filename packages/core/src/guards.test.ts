// The guards on this copy of the core. Across the ESM and CJS builds and across realms they
// are tested on the built files: test/builds.test.ts.
import { describe, expect, it } from "vitest";
import {
  BatchAbortError,
  BatchApiError,
  BatchDeleteError,
  type BatchError,
  BatchHookError,
  BatchNetworkError,
  BatchSourceError,
  BatchTimeoutError,
  BatchValidationError,
} from "./errors.js";
import {
  guardOf,
  isBatchAbortError,
  isBatchApiError,
  isBatchDeleteError,
  isBatchError,
  isBatchHookError,
  isBatchNetworkError,
  isBatchSourceError,
  isBatchTimeoutError,
  isBatchValidationError,
} from "./guards.js";
import { IdReadError, isIdReadError } from "./read/error.js";

const made = {
  isBatchApiError: new BatchApiError("HTTP 500", {
    name: "SERVER_ERROR",
    status: 500,
    retryable: true,
  }),
  isBatchNetworkError: new BatchNetworkError("reset"),
  isBatchTimeoutError: new BatchTimeoutError("slow"),
  isBatchAbortError: new BatchAbortError("aborted"),
  isBatchValidationError: new BatchValidationError("bad"),
  isBatchDeleteError: new BatchDeleteError("1 of 1", { report: {} as never }),
  isBatchHookError: new BatchHookError("hook", { hook: "onChunk", cause: 1 }),
  isBatchSourceError: new BatchSourceError("source", { cause: 1 }),
};
type Guard = keyof typeof made;
const guards = {
  isBatchError,
  isBatchApiError,
  isBatchNetworkError,
  isBatchTimeoutError,
  isBatchAbortError,
  isBatchValidationError,
  isBatchDeleteError,
  isBatchHookError,
  isBatchSourceError,
};

describe("guards", () => {
  it.each(Object.keys(made) as Guard[])("%s: true for its class only", (guard) => {
    for (const [other, error] of Object.entries(made) as [Guard, BatchError][]) {
      expect(guards[guard](error)).toBe(other === guard);
      expect(guards.isBatchError(error)).toBe(true);
    }
  });

  it("isIdReadError: an IdReadError, which is a BatchValidationError too", () => {
    const error = new IdReadError("input", 2, "bad");
    expect(isIdReadError(error)).toBe(true);
    expect(guards.isBatchValidationError(error)).toBe(true);
    expect(isIdReadError(made.isBatchValidationError)).toBe(false);
  });

  it("recognise another copy's error by its brand: the names of its class and ancestors", () => {
    // What an error of another copy looks like from here: not ours, but branded the same way.
    const brand = Symbol.for("@batch-custom-data/core.error");
    const error = Object.defineProperty(new Error("x"), brand, {
      value: ["BatchApiError", "BatchError"],
    });
    expect(guards.isBatchError(error)).toBe(true);
    expect(guards.isBatchApiError(error)).toBe(true);
    expect(guards.isBatchNetworkError(error)).toBe(false);
  });

  it("refuse look-alikes by name and values that are not objects", () => {
    for (const value of [
      { name: "BatchApiError" },
      Object.assign(new Error("x"), { name: "BatchError" }),
      "BatchError",
      null,
      undefined,
    ]) {
      expect(guards.isBatchError(value)).toBe(false);
      expect(guards.isBatchApiError(value)).toBe(false);
      expect(isIdReadError(value)).toBe(false);
    }
  });

  it("guardOf makes a guard for another package's subclass (its own static kind)", () => {
    class ProxyError extends BatchApiError {
      static override readonly kind: string = "TestProxyError";
    }
    const isProxyError = guardOf(ProxyError);
    const error = new ProxyError("HTTP 401", {
      name: "AUTHENTICATION_INVALID",
      status: 401,
      retryable: false,
    });
    expect(isProxyError(error)).toBe(true);
    expect(isBatchApiError(error) && isBatchError(error)).toBe(true);
    expect(isProxyError(made.isBatchApiError)).toBe(false);
    // Another copy's ProxyError: branded with its kind and its ancestors', not our class.
    const brand = Symbol.for("@batch-custom-data/core.error");
    const copy = Object.defineProperty(new Error("x"), brand, {
      value: ["TestProxyError", "BatchApiError", "BatchError"],
    });
    expect(isProxyError(copy)).toBe(true);
    expect(isProxyError({ name: "AUTHENTICATION_INVALID" })).toBe(false);
  });
});
