// In Chromium: the proxy client against a scripted proxy (its `fetch`), so each answer the
// proxy can give is mapped and checked; network failures are in network.test.ts.
import { describe, expect, it, vi } from "vitest";
import { createProxyClient as builtClient } from "../dist/browser.js";
import {
  BatchAbortError,
  BatchApiError,
  BatchError,
  BatchNetworkError,
  BatchProxyError,
  BatchTimeoutError,
  BatchValidationError,
  createProxyClient,
  isBatchApiError,
  isBatchError,
  isBatchProxyError,
  type ProxyJob,
} from "./index.js";
import { caught, fakeProxy, json, type Loose, proxyError, text } from "./test-utils.js";

const URL_ = "https://privacy.example.com";
const TOKEN = "user-token-5ecret-0123456789";
const JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTQyIn0.c2lnbmF0dXJl";
const fast = { limit: 2, backoffLimit: 5 };

function job(partial: Partial<ProxyJob>): ProxyJob {
  return {
    id: "job-1",
    state: "running",
    requested: 10,
    confirmed: 0,
    failed: 0,
    pending: 10,
    messages: 1,
    enqueued: 1,
    settled: 0,
    retries: 0,
    duplicates: 0,
    errors: {},
    tokens: 0,
    createdAt: "2026-01-01T00:00:00Z",
    updatedAt: "2026-01-01T00:00:00Z",
    finishedAt: null,
    ...partial,
  };
}

/** Everything an error prints, for checks that no secret shows. */
const printed = (error: Loose) =>
  `${error.message} ${String(error)} ${JSON.stringify(error)} ${error.stack ?? ""}`;

describe("deleteMe", () => {
  it("sends DELETE /v1/me with the bearer token and returns the tokens", async () => {
    const proxy = fakeProxy({
      "DELETE /v1/me": [json(200, { tokens: [{ app: "ios", token: "t1" }] })],
    });
    const client = createProxyClient({ url: URL_, token: TOKEN, fetch: proxy.fetch });
    await expect(client.deleteMe()).resolves.toEqual({ tokens: [{ app: "ios", token: "t1" }] });
    expect(proxy.seen).toHaveLength(1);
    expect(proxy.seen[0]!.headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
  });

  it("asks a token function before every attempt (a refreshed token is used)", async () => {
    const proxy = fakeProxy({
      "DELETE /base/v1/me": [
        proxyError(503, "UPSTREAM_UNAVAILABLE", "Try later."),
        json(200, { tokens: [] }),
      ],
    });
    let n = 0;
    const client = createProxyClient({
      url: `${URL_}/base/`,
      token: async () => `token-${++n}`,
      fetch: proxy.fetch,
      retry: fast,
    });
    await client.deleteMe();
    expect(proxy.seen.map((s) => [s.path, s.headers.get("authorization")])).toEqual([
      ["/base/v1/me", "Bearer token-1"],
      ["/base/v1/me", "Bearer token-2"],
    ]);
  });

  it("maps 401 to a BatchProxyError (a BatchApiError) that names what to do", async () => {
    const proxy = fakeProxy({
      "DELETE /v1/me": [proxyError(401, "UNAUTHORIZED", "The token has expired: sign in again.")],
    });
    const client = createProxyClient({ url: URL_, token: TOKEN, fetch: proxy.fetch, retry: fast });
    const error = await caught(client.deleteMe());
    expect(error).toBeInstanceOf(BatchProxyError);
    expect(error).toBeInstanceOf(BatchApiError);
    expect(error).toBeInstanceOf(BatchError);
    expect(error).toMatchObject({
      name: "AUTHENTICATION_INVALID",
      status: 401,
      code: 10,
      proxyCode: "UNAUTHORIZED",
      retryable: false,
      attempts: 1,
      request: { method: "DELETE", url: `${URL_}/v1/me`, app: "proxy" },
    });
    expect(error.message).toBe(
      `The token has expired: sign in again. [DELETE ${URL_}/v1/me, app proxy, attempt 1]`,
    );
    expect(proxy.seen).toHaveLength(1); // a 401 is never retried
  });

  it("keeps Batch's error name and the tokens of the apps that did delete (502)", async () => {
    const proxy = fakeProxy({
      "DELETE /v1/me": [
        json(502, {
          error: {
            code: "UPSTREAM_REJECTED",
            message: "Batch refused the deletion (API_MISUSE).",
            upstream: "API_MISUSE",
          },
          tokens: [{ app: "ios", token: "t-ios" }],
        }),
      ],
    });
    const client = createProxyClient({ url: URL_, token: TOKEN, fetch: proxy.fetch, retry: fast });
    const error = await caught(client.deleteMe());
    expect(error).toMatchObject({
      name: "API_MISUSE",
      code: 12,
      status: 502,
      proxyCode: "UPSTREAM_REJECTED",
      upstream: "API_MISUSE",
      tokens: [{ app: "ios", token: "t-ios" }],
      retryable: false,
    });
    expect(proxy.seen).toHaveLength(1);
  });

  it("retries 503 after Retry-After, then gives up with the last error", async () => {
    const proxy = fakeProxy({
      "DELETE /v1/me": [
        proxyError(503, "UPSTREAM_UNAVAILABLE", "Batch is unavailable: try again later.", {
          upstream: "MAINTENANCE_ERROR",
        }),
      ],
    });
    const client = createProxyClient({ url: URL_, token: TOKEN, fetch: proxy.fetch, retry: fast });
    const error = await caught(client.deleteMe());
    expect(error).toMatchObject({
      name: "MAINTENANCE_ERROR",
      status: 503,
      retryable: true,
      attempts: 3,
      proxyCode: "UPSTREAM_UNAVAILABLE",
    });
    expect(error.message).toMatch(/, attempt 3\]$/);
    expect(proxy.seen).toHaveLength(3);
  });

  it("honours Retry-After up to maxRetryAfter, and reports it", async () => {
    const answer = () =>
      json(
        503,
        { error: { code: "UPSTREAM_UNAVAILABLE", message: "Later." } },
        { "Retry-After": "1" },
      );
    const proxy = fakeProxy({ "DELETE /v1/me": [answer(), json(200, { tokens: [] })] });
    const client = createProxyClient({ url: URL_, token: TOKEN, fetch: proxy.fetch });
    const started = performance.now();
    await client.deleteMe();
    expect(performance.now() - started).toBeGreaterThanOrEqual(900);
    expect(proxy.seen).toHaveLength(2);

    const long = fakeProxy({
      "DELETE /v1/me": [
        json(
          503,
          { error: { code: "UPSTREAM_UNAVAILABLE", message: "Later." } },
          { "Retry-After": "120" },
        ),
      ],
    });
    const impatient = createProxyClient({ url: URL_, token: TOKEN, fetch: long.fetch });
    const error = await caught(impatient.deleteMe());
    expect(error).toMatchObject({ retryAfterMs: 120_000, attempts: 1 });
    expect(long.seen).toHaveLength(1);
  });

  it("never quotes the token, even when the proxy's message echoes it", async () => {
    const proxy = fakeProxy({
      "DELETE /v1/me": [
        proxyError(401, "UNAUTHORIZED", `Token ${TOKEN} refused; also saw ${JWT}.`),
      ],
    });
    const client = createProxyClient({ url: URL_, token: TOKEN, fetch: proxy.fetch });
    const error = await caught(client.deleteMe());
    expect(error.message).toContain("Token *** refused; also saw ***.");
    expect(printed(error)).not.toContain(TOKEN);
    expect(printed(error)).not.toContain(JWT);
  });

  it("maps an answer that is not the proxy's (an HTML page) from its status", async () => {
    const html = new Response("<html><body>Bad gateway</body></html>", {
      status: 502,
      headers: { "content-type": "text/html" },
    });
    const proxy = fakeProxy({ "DELETE /v1/me": [html] });
    const client = createProxyClient({ url: URL_, token: TOKEN, fetch: proxy.fetch });
    const error = await caught(client.deleteMe());
    expect(error).toBeInstanceOf(BatchProxyError);
    expect(error.proxyCode).toBeUndefined();
    expect(error).toMatchObject({ name: "BAD_GATEWAY", status: 502 });
    expect(error.message).toMatch(/not the proxy's JSON error: is url the proxy's address\?/);
  });

  it("refuses a 2xx that is not JSON (url is not the proxy)", async () => {
    const proxy = fakeProxy({ "DELETE /v1/me": [new Response("<html>welcome</html>")] });
    const client = createProxyClient({ url: URL_, token: TOKEN, fetch: proxy.fetch });
    const error = await caught(client.deleteMe());
    expect(error).toMatchObject({ name: "UNEXPECTED_RESPONSE", status: 200 });
  });

  it("reports a redirect instead of following it", async () => {
    const proxy = fakeProxy({
      "DELETE /v1/me": [
        new Response(null, { status: 307, headers: { location: "https://elsewhere.example/" } }),
      ],
    });
    const client = createProxyClient({ url: URL_, token: TOKEN, fetch: proxy.fetch });
    const error = await caught(client.deleteMe());
    expect(error).toMatchObject({ status: 307, name: "REDIRECTED" });
    expect(error.message).toMatch(/never follows one/);
    expect(proxy.seen).toHaveLength(1);
  });

  it("times out each attempt, retries the idempotent call, then throws BatchTimeoutError", async () => {
    const proxy = fakeProxy({ "DELETE /v1/me": ["hang"] });
    const client = createProxyClient({
      url: URL_,
      token: TOKEN,
      fetch: proxy.fetch,
      timeoutMs: 50,
      retry: { limit: 1, backoffLimit: 5 },
    });
    const error = await caught(client.deleteMe());
    expect(error).toBeInstanceOf(BatchTimeoutError);
    expect(error).toMatchObject({ retryable: true, attempts: 2 });
    expect(error.message).toMatch(/did not answer within 50 ms/);
    expect(proxy.seen).toHaveLength(2);
  });

  it("ends at once on the caller's abort with a BatchAbortError", async () => {
    const proxy = fakeProxy({ "DELETE /v1/me": ["hang"] });
    const client = createProxyClient({ url: URL_, token: TOKEN, fetch: proxy.fetch });
    const controller = new AbortController();
    const pending = caught(client.deleteMe({ signal: controller.signal }));
    setTimeout(() => controller.abort(), 20);
    const error = await pending;
    expect(error).toBeInstanceOf(BatchAbortError);
    expect(proxy.seen).toHaveLength(1);
  });

  it("runs the caller's hooks", async () => {
    const proxy = fakeProxy({ "DELETE /v1/me": [json(200, { tokens: [] })] });
    const before = vi.fn((request: Request) => {
      request.headers.set("X-Request-Id", "r-1");
    });
    const after = vi.fn();
    const client = createProxyClient({
      url: URL_,
      token: TOKEN,
      fetch: proxy.fetch,
      hooks: { beforeRequest: [before], afterResponse: [after] },
    });
    await client.deleteMe();
    expect(before).toHaveBeenCalledOnce();
    expect(after).toHaveBeenCalledOnce();
    expect(proxy.seen[0]!.headers.get("x-request-id")).toBe("r-1");
    expect(proxy.seen[0]!.headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
  });
});

describe("createProxyClient", () => {
  it.each([
    "not a url",
    "ftp://proxy.example.com",
    "https://proxy.example.com/?key=1",
    "https://user:pass@proxy.example.com",
    "https://proxy.example.com/#x",
  ])("refuses url %s, naming the option", (url) => {
    expect(() => createProxyClient({ url })).toThrow(BatchValidationError);
    try {
      createProxyClient({ url });
    } catch (error) {
      expect((error as BatchValidationError).option).toBe("url");
      expect((error as Error).message).not.toContain("pass");
    }
  });
});

describe("jobs", () => {
  it("starts a job from an array as NDJSON, sent once even on a 503", async () => {
    const created = { id: "job-1", state: "enqueuing", requested: 3, messages: 1 };
    const proxy = fakeProxy({
      "POST /v1/jobs": [json(202, created, { location: "/v1/jobs/job-1" })],
    });
    const client = createProxyClient({ url: URL_, token: "admin", fetch: proxy.fetch });
    await expect(client.startJob(["a", "line\nbreak", "é"])).resolves.toEqual(created);
    expect(proxy.seen[0]!.headers.get("content-type")).toBe("application/x-ndjson");
    expect(text(proxy.seen[0]!.body)).toBe('"a"\n"line\\nbreak"\n"é"\n');

    const busy = fakeProxy({
      "POST /v1/jobs": [proxyError(503, "UPSTREAM_UNAVAILABLE", "Later.")],
    });
    const once = createProxyClient({ url: URL_, token: "admin", fetch: busy.fetch, retry: fast });
    const error = await caught(once.startJob(["a"]));
    expect(error).toMatchObject({ status: 503, attempts: 1, retryable: true });
    expect(busy.seen).toHaveLength(1);
  });

  it("sends a lines, NDJSON or JSON file as it is, and CSV as NDJSON", async () => {
    const proxy = fakeProxy({
      "POST /v1/jobs": [json(202, { id: "j", state: "enqueuing", requested: 2, messages: 1 })],
    });
    const client = createProxyClient({ url: URL_, token: "admin", fetch: proxy.fetch });
    const files = [
      new File(["a\r\nb\n"], "ids.txt"),
      new File(['"a"\n{"id":"b"}\n'], "ids.ndjson"),
      new File(['["a","b"]'], "ids.json"),
      new File(['user_id,email\na,x@example.com\n"b,2",y@example.com\n'], "export.csv"),
    ];
    for (const file of files)
      await client.startJob(file, file.name.endsWith(".csv") ? { column: "user_id" } : {});
    expect(proxy.seen.map((s) => [s.headers.get("content-type"), text(s.body)])).toEqual([
      ["text/plain; charset=utf-8", "a\r\nb\n"],
      ["application/x-ndjson", '"a"\n{"id":"b"}\n'],
      ["application/json", '["a","b"]'],
      ["application/x-ndjson", '"a"\n"b,2"\n'],
    ]);
  });

  it("maps INVALID_IDS with its line", async () => {
    const proxy = fakeProxy({
      "POST /v1/jobs": [
        proxyError(
          400,
          "INVALID_IDS",
          "Nothing was enqueued: body line 3: the id is longer than 1,023 characters.",
          { line: 3 },
        ),
      ],
    });
    const client = createProxyClient({ url: URL_, token: "admin", fetch: proxy.fetch });
    const error = await caught(client.startJob(new File(["a\nb\nc\n"], "ids.txt")));
    expect(error).toMatchObject({
      proxyCode: "INVALID_IDS",
      line: 3,
      status: 400,
      name: "MALFORMED_PARAMETER",
    });
  });

  it("watches a job until done, at the interval given", async () => {
    const proxy = fakeProxy({
      "GET /v1/jobs/job-1": [
        json(200, job({ state: "enqueuing" })),
        json(200, job({ confirmed: 4, pending: 6 })),
        json(200, job({ state: "done", confirmed: 9, failed: 1, pending: 0 })),
      ],
    });
    const client = createProxyClient({ url: URL_, token: "admin", fetch: proxy.fetch });
    const states: string[] = [];
    for await (const j of client.watchJob("job-1", { intervalMs: 10 }))
      states.push(`${j.state}:${j.confirmed}`);
    expect(states).toEqual(["enqueuing:0", "running:4", "done:9"]);
  });

  it("stops watching on abort, between two reads too", async () => {
    const proxy = fakeProxy({ "GET /v1/jobs/job-1": [json(200, job({}))] });
    const client = createProxyClient({ url: URL_, token: "admin", fetch: proxy.fetch });
    const controller = new AbortController();
    const seen: ProxyJob[] = [];
    const error = await caught(
      (async () => {
        for await (const j of client.watchJob("job-1", {
          intervalMs: 60_000,
          signal: controller.signal,
        })) {
          seen.push(j);
          setTimeout(() => controller.abort(), 10);
        }
      })(),
    );
    expect(error).toBeInstanceOf(BatchAbortError);
    expect(seen).toHaveLength(1);
  });

  it("retries a read through a 503, and maps JOB_NOT_FOUND", async () => {
    const proxy = fakeProxy({
      "GET /v1/jobs/job-1": [proxyError(503, "UPSTREAM_UNAVAILABLE", "Later."), json(200, job({}))],
      "GET /v1/jobs/nope": [proxyError(404, "JOB_NOT_FOUND", "No job has this id.")],
    });
    const client = createProxyClient({
      url: URL_,
      token: "admin",
      fetch: proxy.fetch,
      retry: fast,
    });
    await expect(client.getJob("job-1")).resolves.toMatchObject({ id: "job-1" });
    const error = await caught(client.getJob("nope"));
    expect(error).toMatchObject({ proxyCode: "JOB_NOT_FOUND", status: 404, attempts: 1 });
  });

  it("encodes a job id as one path segment", async () => {
    const proxy = fakeProxy({});
    const client = createProxyClient({ url: URL_, token: "admin", fetch: proxy.fetch });
    await caught(client.getJob("../me"));
    expect(proxy.seen[0]!.path).toBe("/v1/jobs/..%2Fme");
  });

  it("pages through failed ids and tokens, following next", async () => {
    const proxy = fakeProxy({
      "GET /v1/jobs/job-1/failed": [
        json(200, { ids: ["a", "b"], next: "2" }),
        json(200, { ids: ["c"], next: null }),
      ],
      "GET /v1/jobs/job-1/tokens": [
        json(200, { tokens: [{ seq: 0, app: "ios", token: "t", ids: 3 }], next: null }),
      ],
    });
    const client = createProxyClient({ url: URL_, token: "admin", fetch: proxy.fetch });
    const pages: string[][] = [];
    for await (const page of client.failedIds("job-1", { pageSize: 2 })) pages.push(page);
    expect(pages).toEqual([["a", "b"], ["c"]]);
    expect(proxy.seen.map((s) => s.search)).toEqual(["?limit=2", "?limit=2&cursor=2"]);
    const tokens = [];
    for await (const page of client.jobTokens("job-1")) tokens.push(...page);
    expect(tokens).toEqual([{ seq: 0, app: "ios", token: "t", ids: 3 }]);
    await expect(client.failedIds("job-1", { pageSize: 0 }).next()).rejects.toThrow(
      BatchValidationError,
    );
  });
});

describe("errors", () => {
  it("are the core's classes, printable without secrets", async () => {
    const proxy = fakeProxy({ "DELETE /v1/me": [proxyError(401, "UNAUTHORIZED", "No.")] });
    const client = createProxyClient({ url: URL_, token: TOKEN, fetch: proxy.fetch });
    const error = await caught(client.deleteMe());
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({
      name: "AUTHENTICATION_INVALID",
      proxyCode: "UNAUTHORIZED",
      status: 401,
      message: `No. [DELETE ${URL_}/v1/me, app proxy, attempt 1]`,
    });
    expect(BatchNetworkError).toBeTypeOf("function");
  });

  it("are told by the guards across copies of the package (the source and the build)", async () => {
    const proxy = fakeProxy({ "DELETE /v1/me": [proxyError(401, "UNAUTHORIZED", "No.")] });
    const built = builtClient({ url: URL_, token: TOKEN, fetch: proxy.fetch });
    const error = await caught(built.deleteMe());
    expect(error).not.toBeInstanceOf(BatchProxyError); // another copy's class
    expect(isBatchProxyError(error)).toBe(true);
    expect(isBatchApiError(error)).toBe(true);
    expect(isBatchError(error)).toBe(true);
    expect(isBatchProxyError(new BatchValidationError("not a proxy error"))).toBe(false);
    expect(isBatchProxyError({ name: "AUTHENTICATION_INVALID", proxyCode: "UNAUTHORIZED" })).toBe(
      false,
    );
  });
});
