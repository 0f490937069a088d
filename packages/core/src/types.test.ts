// Compile-time contracts. The typecheck step (`tsc -p tsconfig.test.json`, part of `npm test`)
// fails on any `@ts-expect-error` that has no error under it, so each of those lines is a test
// that fails the build if it type-checks. The calls also run, for what they do at run time.
import { describe, expect, it } from "vitest";
import { client, okFetch } from "../test/helpers.js";
import {
  BatchApiError,
  type BatchErrorName,
  type BatchRequestInfo,
  ERROR_TABLE,
  isBatchApiError,
} from "./index.js";

describe("types", () => {
  it("deleteUsers refuses a string or a String object at compile time (and at run time)", async () => {
    const fetch = okFetch();
    const c = client({ fetch });
    // @ts-expect-error a string is iterable, but its letters are not a list of ids
    await expect(c.deleteUsers("abc")).rejects.toThrow(/not a string/);
    // @ts-expect-error nor is a String object's
    await expect(c.deleteUsers(new String("abc"))).rejects.toThrow(/not a string/);
    expect(fetch.calls).toHaveLength(0);
    // Arrays, sets, generators of ids or of batches still type-check.
    await c.deleteUsers(["a"]);
    await c.deleteUsers(new Set(["b"]));
    await c.deleteUsers(
      (function* () {
        yield ["c", "d"];
        yield "e";
      })(),
    );
    expect(fetch.calls).toHaveLength(3);
  });

  it("BatchApiError.name is a union of Batch's error names: a switch on it is checked", () => {
    const advice = (error: BatchApiError): string => {
      switch (error.name) {
        case "AUTHENTICATION_INVALID":
          return "check the keys";
        case "REDIRECTED":
          return "check baseUrl";
        // @ts-expect-error a misspelt name is not one of them
        case "AUTHENTIFICATION_INVALID":
          return "never";
        default:
          return error.name;
      }
    };
    const error = new BatchApiError("HTTP 401", {
      name: "AUTHENTICATION_INVALID",
      status: 401,
      code: 10,
      retryable: false,
    });
    expect(advice(error)).toBe("check the keys");
    const names: BatchErrorName[] = ERROR_TABLE.map((row) => row.name);
    expect(names).toContain("MAINTENANCE_ERROR");
    const other: BatchErrorName = "HTTP_418";
    // @ts-expect-error only Batch's names and HTTP_<status>
    const wrong: BatchErrorName = "TEAPOT";
    expect([other, wrong]).toHaveLength(2);
  });

  it("BatchRequestInfo is the request's printable form, not the DOM's RequestInfo", () => {
    const info: BatchRequestInfo = {
      method: "DELETE",
      url: "https://x/1.0/***/data/users",
      app: "0",
    };
    // @ts-expect-error a URL string is the DOM's RequestInfo, not ours
    const dom: BatchRequestInfo = "https://x/";
    expect([info, dom]).toHaveLength(2);
  });

  it("BatchRequestInfo.method is any HTTP method: a proxy's GET and POST are requests too", () => {
    const request = (method: string): BatchRequestInfo => ({
      method,
      url: "https://p/v1/jobs",
      app: "proxy",
    });
    const post: BatchRequestInfo = { method: "POST", url: "https://p/v1/jobs", app: "proxy" };
    const error = new BatchApiError("HTTP 503", {
      name: "MAINTENANCE_ERROR",
      status: 503,
      retryable: true,
      request: request("GET"),
    });
    expect(error.message).toBe("HTTP 503 [GET https://p/v1/jobs, app proxy, attempt 0]");
    expect(post.method).toBe("POST");
    // @ts-expect-error a method is text, not a number
    const numeric: BatchRequestInfo = { method: 1, url: "https://p/", app: "proxy" };
    // @ts-expect-error and it is required
    const none: BatchRequestInfo = { url: "https://p/", app: "proxy" };
    expect([numeric, none]).toHaveLength(2);
  });

  it("a guard narrows unknown to the error's type", () => {
    const error: unknown = new BatchApiError("HTTP 404", {
      name: "ROUTE_NOT_FOUND",
      status: 404,
      code: 20,
      retryable: false,
    });
    // @ts-expect-error unknown has no status
    expect(error.status).toBe(404);
    if (isBatchApiError(error)) expect(error.status).toBe(404);
    else expect.unreachable();
  });
});
