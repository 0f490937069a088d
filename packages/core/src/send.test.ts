import { describe, expect, it } from "vitest";
import {
  API_KEY,
  BASE,
  caught,
  client,
  FAST,
  fakeFetch,
  never,
  okFetch,
  REST_KEY,
  reply,
  tokenReply,
  wait,
} from "../test/helpers.js";
import { BatchAbortError, BatchApiError, BatchNetworkError, BatchTimeoutError } from "./errors.js";
import type { FetchLike } from "./send.js";

const abortAfter = (ms: number) => {
  const controller = new AbortController();
  setTimeout(() => controller.abort(), ms);
  return controller.signal;
};
const elapsedSince = (start: number) => performance.now() - start;

describe("retries", () => {
  it("503 then 200: succeeds on the second attempt", async () => {
    const fetch = fakeFetch((_, n) =>
      n === 1 ? reply(503, { error_code: 2 }) : tokenReply("tok"),
    );
    expect(await client({ fetch }).deleteUser("u1")).toEqual({
      token: "tok",
      tokens: [{ app: "0", token: "tok" }],
    });
    expect(fetch.calls).toHaveLength(2);
    expect(fetch.calls[1]!.url).toBe(fetch.calls[0]!.url);
  });

  it("500, 500, then 200: retries each time", async () => {
    const fetch = fakeFetch((_, n) => (n < 3 ? reply(500) : tokenReply("tok")));
    expect((await client({ fetch }).deleteUser("u1")).token).toBe("tok");
    expect(fetch.calls).toHaveLength(3);
  });

  it.each([
    [400, "MALFORMED_PARAMETER"],
    [401, "AUTHENTICATION_INVALID"],
    [403, "API_MISUSE"],
    [404, "ROUTE_NOT_FOUND"],
  ])("%i is never retried", async (status, name) => {
    const fetch = fakeFetch(() => reply(status));
    const error = await caught<BatchApiError>(() => client({ fetch }).deleteUser("u1"));
    expect(error).toBeInstanceOf(BatchApiError);
    expect(error).toMatchObject({ name, status, retryable: false, attempts: 1 });
    expect(fetch.calls).toHaveLength(1);
  });

  it("retry: false sends once", async () => {
    const fetch = fakeFetch(() => reply(503));
    const error = await caught<BatchApiError>(() =>
      client({ fetch, retry: false }).deleteUser("u1"),
    );
    expect(error).toMatchObject({ name: "MAINTENANCE_ERROR", retryable: true, attempts: 1 });
    expect(fetch.calls).toHaveLength(1);
  });

  it.each([0, 1, 3])("gives up after `retries` = %i retries", async (retries) => {
    const fetch = fakeFetch(() => reply(500));
    const c = client({ fetch, retry: { ...FAST, retries } });
    const error = await caught<BatchApiError>(() => c.deleteUser("u1"));
    expect(error).toMatchObject({ name: "SERVER_ERROR", attempts: retries + 1 });
    expect(fetch.calls).toHaveLength(retries + 1);
  });

  it("gives up when waiting for Retry-After would pass maxElapsedMs", async () => {
    const fetch = fakeFetch(() => reply(503, undefined, { "Retry-After": "1" }));
    const c = client({ fetch, retry: { ...FAST, retries: 10, maxElapsedMs: 500 } });
    const start = performance.now();
    const error = await caught<BatchApiError>(() => c.deleteUser("u1"));
    expect(error).toMatchObject({ status: 503, retryAfterMs: 1000, attempts: 1 });
    expect(fetch.calls).toHaveLength(1);
    expect(elapsedSince(start)).toBeLessThan(500);
  });

  it("stops retrying once maxElapsedMs is spent", async () => {
    const fetch = fakeFetch(async () => {
      await wait(10);
      return reply(500);
    });
    const c = client({ fetch, retry: { ...FAST, retries: 1000, maxElapsedMs: 80 } });
    const error = await caught<BatchApiError>(() => c.deleteUser("u1"));
    // Each attempt takes ≥ 10 ms, so at most 8 fit in 80 ms (9 allows for timer rounding).
    expect(fetch.calls.length).toBeGreaterThanOrEqual(2);
    expect(fetch.calls.length).toBeLessThanOrEqual(9);
    expect(error.attempts).toBe(fetch.calls.length);
  });

  it("waits at least Retry-After between attempts", async () => {
    const fetch = fakeFetch((_, n) =>
      n === 1 ? reply(503, undefined, { "Retry-After": "0.06" }) : tokenReply("tok"),
    );
    await client({ fetch }).deleteUser("u1");
    expect(fetch.calls[1]!.at - fetch.calls[0]!.at).toBeGreaterThanOrEqual(59);
  });

  it("says where the failed call went, with the key redacted", async () => {
    const fetch = fakeFetch(() => reply(404));
    const error = await caught<BatchApiError>(() => client({ fetch }).deleteUser("u/1"));
    expect(error.request).toEqual({
      method: "DELETE",
      url: `${BASE}/***/data/users/{id}`,
      app: "0",
    });
    expect(error.message).toMatch(
      /^HTTP 404, code 20 \(check baseUrl.*\) \[DELETE http:\/\/127\.0\.0\.1:9\/1\.0\/\*\*\*\/data\/users\/\{id\}, app 0, attempt 1\]$/,
    );
  });
});

describe("timeouts", () => {
  it("a fetch that never answers and ignores the signal times out after timeoutMs", async () => {
    const fetch = fakeFetch(never);
    const start = performance.now();
    const error = await caught<BatchTimeoutError>(() =>
      client({ fetch, timeoutMs: 25, retry: false }).deleteUser("u1"),
    );
    expect(error).toBeInstanceOf(BatchTimeoutError);
    expect(error).toMatchObject({ name: "BatchTimeoutError", retryable: true, attempts: 1 });
    expect(error.message).toContain("timeoutMs (25 ms)");
    expect(elapsedSince(start)).toBeGreaterThanOrEqual(24);
    expect(elapsedSince(start)).toBeLessThan(2000);
    expect(fetch.calls[0]!.signal.aborted).toBe(true); // told the transport to stop, too
  });

  it("a timeout is retried, then fails", async () => {
    const fetch = fakeFetch(never);
    const c = client({ fetch, timeoutMs: 10, retry: { ...FAST, retries: 2 } });
    const error = await caught<BatchTimeoutError>(() => c.deleteUser("u1"));
    expect(error).toBeInstanceOf(BatchTimeoutError);
    expect(error.attempts).toBe(3);
    expect(fetch.calls).toHaveLength(3);
  });

  it("a timeout then an answer succeeds", async () => {
    const fetch = fakeFetch((_, n) => (n === 1 ? never() : tokenReply("tok")));
    expect((await client({ fetch, timeoutMs: 10 }).deleteUser("u1")).token).toBe("tok");
    expect(fetch.calls).toHaveLength(2);
  });

  it("a fetch that honours the signal still ends as a timeout, not a network error", async () => {
    const fetch: FetchLike = (_, { signal }) =>
      new Promise((_, reject) =>
        signal.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError"))),
      );
    const error = await caught(() =>
      client({ fetch, timeoutMs: 10, retry: false }).deleteUser("u1"),
    );
    expect(error).toBeInstanceOf(BatchTimeoutError);
  });

  it("covers reading the body: headers then a body that never ends", async () => {
    const fetch = fakeFetch(
      () => new Response(new ReadableStream({ pull: never }), { status: 200 }),
    );
    const error = await caught(() =>
      client({ fetch, timeoutMs: 20, retry: false }).deleteUser("u1"),
    );
    expect(error).toBeInstanceOf(BatchTimeoutError);
  });

  it("Infinity turns the timeout off", async () => {
    const fetch = fakeFetch(async () => {
      await wait(20);
      return tokenReply("tok");
    });
    expect((await client({ fetch, timeoutMs: Infinity }).deleteUser("u1")).token).toBe("tok");
  });

  it("a timeout too long for setTimeout (≥ 2^31 ms) does not fire at once", async () => {
    const fetch = fakeFetch(async () => {
      await wait(20);
      return tokenReply("tok");
    });
    const c = client({ fetch, timeoutMs: 3_000_000_000, retry: false });
    expect((await c.deleteUser("u1")).token).toBe("tok");
  });
});

describe("the caller's AbortSignal", () => {
  it("ends a call whose fetch ignores the signal, at once", async () => {
    const fetch = fakeFetch(never);
    const start = performance.now();
    const error = await caught<BatchAbortError>(() =>
      client({ fetch, timeoutMs: 60_000 }).deleteUser("u1", { signal: abortAfter(10) }),
    );
    expect(error).toBeInstanceOf(BatchAbortError);
    expect(error).toMatchObject({ name: "BatchAbortError", retryable: false, attempts: 1 });
    expect(elapsedSince(start)).toBeLessThan(1000);
    expect(fetch.calls).toHaveLength(1);
    expect(fetch.calls[0]!.signal.aborted).toBe(true);
  });

  it("ends a call whose fetch rejects on abort, as an abort (not a network error)", async () => {
    const fetch: FetchLike = (_, { signal }) =>
      new Promise((_, reject) =>
        signal.addEventListener("abort", () => reject(new TypeError("fetch failed"))),
      );
    const error = await caught(() => client({ fetch }).deleteUser("u1", { signal: abortAfter(5) }));
    expect(error).toBeInstanceOf(BatchAbortError);
  });

  it("ends a backoff sleep at once, without another attempt", async () => {
    const fetch = fakeFetch(() => reply(503, undefined, { "Retry-After": "30" }));
    const start = performance.now();
    const error = await caught<BatchAbortError>(() =>
      client({ fetch, retry: { ...FAST, maxElapsedMs: 60_000 } }).deleteUser("u1", {
        signal: abortAfter(20),
      }),
    );
    expect(error).toBeInstanceOf(BatchAbortError);
    expect(error.attempts).toBe(1);
    expect(error.request?.url).toBe(`${BASE}/***/data/users/{id}`);
    expect(elapsedSince(start)).toBeLessThan(1000);
    expect(fetch.calls).toHaveLength(1);
  });

  it("sends nothing when already aborted", async () => {
    const fetch = fakeFetch(() => tokenReply("tok"));
    const error = await caught(() =>
      client({ fetch }).deleteUser("u1", { signal: AbortSignal.abort() }),
    );
    expect(error).toBeInstanceOf(BatchAbortError);
    expect(fetch.calls).toHaveLength(0);
  });
});

describe("network errors", () => {
  const refused = () => {
    throw new TypeError("fetch failed", { cause: { code: "ECONNREFUSED" } });
  };

  it("fetch failed (ECONNREFUSED) → BatchNetworkError, retryable, retried", async () => {
    const fetch = fakeFetch(async () => refused());
    const c = client({ fetch, retry: { ...FAST, retries: 2 } });
    const error = await caught<BatchNetworkError>(() => c.deleteUser("u1"));
    expect(error).toBeInstanceOf(BatchNetworkError);
    expect(error).toMatchObject({
      name: "BatchNetworkError",
      code: "ECONNREFUSED",
      retryable: true,
      attempts: 3,
    });
    expect(error.message).toMatch(/^Network error: fetch failed/);
    expect(fetch.calls).toHaveLength(3);
  });

  it("keeps the runtime's message and code from the cause (undici) or the error (Deno)", async () => {
    const undici = fakeFetch(async () => {
      throw new TypeError("fetch failed", {
        cause: Object.assign(new Error("connect ECONNRESET 127.0.0.1:9"), { code: "ECONNRESET" }),
      });
    });
    const a = await caught<BatchNetworkError>(() =>
      client({ fetch: undici, retry: false }).deleteUser("u1"),
    );
    expect(a.message).toMatch(/^Network error: fetch failed: connect ECONNRESET 127\.0\.0\.1:9/);
    expect(a.code).toBe("ECONNRESET");

    const deno = fakeFetch(async () => {
      throw Object.assign(new TypeError("error sending request: dns error"), { code: "ENOTFOUND" });
    });
    const b = await caught<BatchNetworkError>(() =>
      client({ fetch: deno, retry: false }).deleteUser("u1"),
    );
    expect(b.code).toBe("ENOTFOUND");
  });

  it("a fetch that throws synchronously is a network error too", async () => {
    const fetch: FetchLike = () => {
      throw new TypeError("Failed to fetch");
    };
    const error = await caught<BatchNetworkError>(() =>
      client({ fetch, retry: false }).deleteUser("u1"),
    );
    expect(error).toBeInstanceOf(BatchNetworkError);
    expect(error.code).toBeUndefined();
  });

  it("a network error then an answer succeeds", async () => {
    const fetch = fakeFetch(async (_, n) => (n === 1 ? refused() : tokenReply("tok")));
    expect((await client({ fetch }).deleteUser("u1")).token).toBe("tok");
    expect(fetch.calls).toHaveLength(2);
  });

  it("a connection lost while a 200's body streams in is a network error, and is retried", async () => {
    const cutOff = () =>
      new Response(
        new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode('{"tok'));
            controller.error(new TypeError("terminated"));
          },
        }),
        { status: 200 },
      );
    const fetch = fakeFetch(async (_, n) => (n === 1 ? cutOff() : tokenReply("tok")));
    expect((await client({ fetch }).deleteUser("u1")).token).toBe("tok");
    expect(fetch.calls).toHaveLength(2);
    const once = await caught<BatchNetworkError>(() =>
      client({ fetch: fakeFetch(async () => cutOff()), retry: false }).deleteUser("u1"),
    );
    expect(once).toBeInstanceOf(BatchNetworkError);
    expect(once.message).toContain("terminated");
  });

  it("never keeps what the runtime threw (it may quote the URL, and so the key)", async () => {
    const thrown = new TypeError(
      `error sending request for url (${BASE}/${API_KEY}/data/users/u1)`,
    );
    const fetch = fakeFetch(async () => {
      throw thrown;
    });
    const error = await caught<BatchNetworkError>(() =>
      client({ fetch, retry: false }).deleteUser("u1"),
    );
    expect(error.cause).toBeUndefined();
    expect(Object.values(error)).not.toContain(thrown);
    expect(error.message).toContain(`${BASE}/***/data/users/u1`);
  });
});

describe("redirects are never followed", () => {
  const ID = "jane.doe@example.com";
  const location = (origin: string) =>
    `${origin}/1.0/${encodeURIComponent(API_KEY).replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase())}/data/users/${encodeURIComponent(ID)}?k=${REST_KEY}`;
  /** An answer a browser gives in manual mode: no status, no headers, no body to read. */
  const opaqueRedirect = () =>
    ({
      type: "opaqueredirect",
      status: 0,
      ok: false,
      redirected: false,
      url: "",
      headers: new Headers(),
      body: null,
      text: async () => "",
    }) as unknown as Response;

  it("asks every fetch not to follow one (redirect: manual)", async () => {
    const fetch = okFetch();
    await client({ fetch }).deleteUser("u1");
    await client({ fetch }).deleteUsers(["u2"]);
    expect(fetch.calls.map((call) => call.redirect)).toEqual(["manual", "manual"]);
  });

  it.each([301, 302, 303, 307, 308])(
    "a %i is an error saying where it pointed, without a key, the id or the query; not retried",
    async (status) => {
      const fetch = fakeFetch(
        () =>
          new Response(null, { status, headers: { Location: location("https://elsewhere.test") } }),
      );
      const error = await caught<BatchApiError>(() => client({ fetch }).deleteUser(ID));
      expect(error).toBeInstanceOf(BatchApiError);
      expect(error).toMatchObject({
        name: "REDIRECTED",
        status,
        retryable: false,
        attempts: 1,
        location: "https://elsewhere.test/1.0/***/data/users/{id}",
      });
      expect(error.message).toContain("https://elsewhere.test/1.0/***/data/users/{id}");
      expect(error.message).toMatch(/never follow/);
      expect(fetch.calls).toHaveLength(1);
      const printed = JSON.stringify(error) + error.message;
      for (const secret of [API_KEY, REST_KEY, encodeURIComponent(ID), ID])
        expect(printed).not.toContain(secret);
    },
  );

  it("a relative Location is resolved against the call's URL", async () => {
    const fetch = fakeFetch(
      () => new Response(null, { status: 308, headers: { Location: "/2.0/x" } }),
    );
    const error = await caught<BatchApiError>(() => client({ fetch }).deleteUsers(["u1"]));
    expect(JSON.stringify(error)).toContain("http://127.0.0.1:9/2.0/x");
  });

  it("an opaque redirect (a browser's manual mode) is an error too, where it pointed unknown", async () => {
    const fetch = fakeFetch(opaqueRedirect);
    const error = await caught<BatchApiError>(() => client({ fetch }).deleteUser("u1"));
    expect(error).toMatchObject({ name: "REDIRECTED", status: 0, retryable: false });
    expect(error.location).toBeUndefined();
    expect(fetch.calls).toHaveLength(1);
  });

  it("a fetch that followed one anyway confirms nothing, even with a token", async () => {
    const fetch = fakeFetch(() => {
      const answer = tokenReply("token-from-elsewhere");
      Object.defineProperty(answer, "redirected", { value: true });
      Object.defineProperty(answer, "url", { value: location("https://elsewhere.test") });
      return answer;
    });
    const error = await caught<BatchApiError>(() => client({ fetch }).deleteUser(ID));
    expect(error).toMatchObject({
      name: "REDIRECTED",
      location: "https://elsewhere.test/1.0/***/data/users/{id}",
    });
    expect(error.message).toMatch(/followed/);
  });
});
