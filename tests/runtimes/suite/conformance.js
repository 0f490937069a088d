// The conformance suite: written once, run unchanged in Node, Deno, workerd and Chromium.
// It imports neither the core nor the emulator: each runtime's driver loads them the way a
// user of that runtime would and hands them over in `ctx`:
//   { core, createEmulator, baseUrl, runtime }
// where `baseUrl` is the emulator served over HTTP on 127.0.0.1 for the network cases.
// A case is `{ name, fn(ctx) }`; it passes when `fn` resolves.
import { deepEqual, equal, has, isError, ok, rejects, throws } from "./assert.js";
import { API_KEY, REST_KEY } from "./keys.js";

/** Retries without the default half-second waits: the suite must stay fast. */
const FAST_RETRY = { retries: 3, baseDelayMs: 1, maxDelayMs: 5 };

/** An in-process emulator, injected as `fetch`: nothing goes to the network. */
async function withEmulator(ctx, options, fn) {
  const emulator = ctx.createEmulator({
    apps: [API_KEY],
    restApiKey: REST_KEY,
    processingDelayMs: 0,
    seed: 1,
    ...options,
  });
  try {
    return await fn(emulator);
  } finally {
    emulator.close();
  }
}

function client(ctx, options) {
  return ctx.core.createClient({
    apiKey: API_KEY,
    restApiKey: REST_KEY,
    retry: FAST_RETRY,
    ...options,
  });
}

/** A fetch that answers every call with `status` and `body`, and counts the calls. */
function fakeFetch(status, body = "", headers = {}) {
  const fake = async () => {
    fake.calls++;
    return new Response(body, { status, headers });
  };
  fake.calls = 0;
  return fake;
}

/** A fetch that never answers (and ignores its signal), recording the init it got. */
function silentFetch() {
  const silent = (_url, init) => {
    silent.inits.push(init);
    return new Promise(() => {});
  };
  silent.inits = [];
  return silent;
}

/** The Batch error of a rejected call: the error itself, or a bulk report's first failure. */
function apiErrorOf(error, core) {
  if (error instanceof core.BatchDeleteError) return error.report.failures[0].error;
  return error;
}

/** The serialisations a log, a bug report or an error tracker could show. */
function printed(error) {
  return [error.message, String(error), JSON.stringify(error), String(error.stack ?? "")];
}

function assertNoKeys(texts, where) {
  for (const key of [API_KEY, REST_KEY]) {
    for (const needle of [key, encodeURIComponent(key)]) {
      for (const text of texts) ok(!text.includes(needle), `${where} shows a key: ${text}`);
    }
  }
}

function servedOrigin(ctx) {
  ok(ctx.baseUrl, "no served emulator: the driver got no baseUrl (run it through run.js)");
  return new URL(ctx.baseUrl).origin;
}

/** Asks the served emulator what it received for `token` (its admin routes, not Batch's). */
async function servedTransaction(ctx, token) {
  const response = await fetch(`${servedOrigin(ctx)}/_emulator/transactions/${token}`, {
    headers: { "X-Authorization": REST_KEY },
  });
  equal(response.status, 200, "admin transaction lookup status");
  return response.json();
}

// Every error of API.md's table (and the inferred 429 and 502), produced by the emulator:
// by configuration, by a fault, or by a fetch wrapper that spoils the request on its way in.
const spoilBody = (body) => (emulator) => (url, init) => emulator.fetch(url, { ...init, body });
const ERRORS = [
  ["AUTHENTICATION_INVALID", 401, 10, false, { client: { restApiKey: "wrong-rest-key" } }],
  ["API_MISUSE", 403, 12, false, { emulator: { restrictedApps: [API_KEY] } }],
  ["ROUTE_NOT_FOUND", 404, 20, false, { client: { baseUrl: "https://api.batch.com/2.0" } }],
  ["MISSING_PARAMETER", 400, 30, false, { bulk: true, wrap: spoilBody(undefined) }],
  ["MALFORMED_PARAMETER", 400, 31, false, { bulk: true, wrap: spoilBody('["user-1", 42]') }],
  ["MALFORMED_JSON_BODY", 400, 32, false, { bulk: true, wrap: spoilBody("[not json") }],
  ["SERVER_ERROR", 500, 1, true, { fault: "serverError" }],
  ["MAINTENANCE_ERROR", 503, 2, true, { fault: "maintenance" }],
  ["TOO_MANY_REQUESTS", 429, 60, true, { fault: "tooManyRequests" }],
  ["BAD_GATEWAY", 502, undefined, true, { fault: "badGateway" }],
];

const errorCases = ERRORS.map(([name, status, code, retryable, how]) => ({
  name: `error mapping: ${name} (HTTP ${status}${code ? `, code ${code}` : ""})`,
  fn: (ctx) =>
    withEmulator(ctx, how.emulator, async (emulator) => {
      if (how.fault) emulator.failNext(how.fault);
      const fetch = how.wrap ? how.wrap(emulator) : emulator.fetch;
      const c = client(ctx, { fetch, retry: false, ...how.client });
      const call = how.bulk ? c.deleteUsers(["user-1"]) : c.deleteUser("user-1");
      const error = apiErrorOf(await rejects(call), ctx.core);
      has(error, { name, status, code, retryable, attempts: 1 });
      assertNoKeys([error.message], name);
    }),
}));

export const cases = [
  {
    name: "deleteUser sends the single-delete call and returns its token",
    fn: (ctx) =>
      withEmulator(ctx, {}, async (emulator) => {
        emulator.seed(API_KEY, ["user-1", "user-2"]);
        const { token, tokens } = await client(ctx, { fetch: emulator.fetch }).deleteUser("user-1");
        deepEqual(tokens, [{ app: "0", token }], "tokens");
        has(emulator.transaction(token), { kind: "single", ids: 1 });
        emulator.flush();
        equal(emulator.hasData(API_KEY, "user-1"), false, "user-1 has data");
        equal(emulator.hasData(API_KEY, "user-2"), true, "user-2 has data");
      }),
  },
  {
    name: "deleteUser sends reserved and non-ASCII characters as one path segment",
    fn: (ctx) =>
      withEmulator(ctx, {}, async (emulator) => {
        const ids = ["a/b?c#d%e", "é ü 😀", "x%2Fy", " padded "];
        emulator.seed(API_KEY, ids);
        const c = client(ctx, { fetch: emulator.fetch });
        for (const id of ids) {
          const { token } = await c.deleteUser(id);
          has(emulator.transaction(token), { kind: "single", ids: 1 }, id);
        }
        emulator.flush();
        for (const id of ids) equal(emulator.hasData(API_KEY, id), false, `${id} has data`);
      }),
  },
  {
    name: "deleteUser sends '.' and '..' through the bulk route (no URL can carry them)",
    fn: (ctx) =>
      withEmulator(ctx, {}, async (emulator) => {
        emulator.seed(API_KEY, [".", ".."]);
        const c = client(ctx, { fetch: emulator.fetch });
        for (const id of [".", ".."]) {
          const { token } = await c.deleteUser(id);
          has(emulator.transaction(token), { kind: "bulk", ids: 1 }, id);
        }
        emulator.flush();
        equal(emulator.count(API_KEY), 0, "users left");
      }),
  },
  {
    name: "deleteUsers deletes a list in one bulk call and accounts for every id",
    fn: (ctx) =>
      withEmulator(ctx, {}, async (emulator) => {
        const ids = ["user-1", "user-2", "user-3"];
        emulator.seed(API_KEY, ids);
        const report = await client(ctx, { fetch: emulator.fetch }).deleteUsers(ids);
        has(report, { requested: 3, confirmed: 3, failed: 0, calls: 1, complete: true });
        deepEqual(report.failedIds, [], "failedIds");
        has(emulator.transaction(report.tokens[0].token), { kind: "bulk", ids: 3 });
        emulator.flush();
        equal(emulator.count(API_KEY), 0, "users left");
      }),
  },
  {
    name: "deleteUsers splits 25,001 ids into 3 calls (10,000 + 10,000 + 5,001)",
    fn: (ctx) =>
      withEmulator(ctx, {}, async (emulator) => {
        const sizes = [];
        const counting = (url, init) => {
          sizes.push(JSON.parse(init.body).length);
          return emulator.fetch(url, init);
        };
        const ids = Array.from({ length: 25_001 }, (_, i) => `user-${i}`);
        const report = await client(ctx, { fetch: counting }).deleteUsers(ids);
        deepEqual(
          sizes.sort((a, b) => a - b),
          [5_001, 10_000, 10_000],
          "ids per call",
        );
        has(report, { requested: 25_001, confirmed: 25_001, calls: 3 });
        equal(new Set(report.tokens.map((t) => t.token)).size, 3, "distinct tokens");
        equal(emulator.stats().idsAccepted, 25_001, "ids the emulator accepted");
      }),
  },
  {
    name: "deleteUsers streams an async iterable in chunks",
    fn: (ctx) =>
      withEmulator(ctx, {}, async (emulator) => {
        async function* ids() {
          for (let i = 0; i < 12; i++) yield `user-${i}`;
        }
        const c = client(ctx, { fetch: emulator.fetch, chunkSize: 5 });
        const report = await c.deleteUsers(ids());
        has(report, { requested: 12, confirmed: 12, calls: 3, complete: true });
      }),
  },
  ...errorCases,
  {
    name: "error mapping: other body shapes (code as a string, `message`, empty, HTML)",
    fn: async (ctx) => {
      const answers = [
        [403, '{"error_code":"12","message":"plan"}', "API_MISUSE", 12],
        [401, "", "AUTHENTICATION_INVALID", 10],
        [400, '{"error_code":32}', "MALFORMED_JSON_BODY", 32],
        [500, "<html><body>oops</body></html>", "SERVER_ERROR", 1],
      ];
      for (const [status, body, name, code] of answers) {
        const c = client(ctx, { fetch: fakeFetch(status, body), retry: false });
        const error = await rejects(c.deleteUser("user-1"));
        isError(error, ctx.core.BatchApiError, { name, status, code });
      }
    },
  },
  {
    name: "retry: a 503 then a 200 resolves after 2 attempts",
    fn: (ctx) =>
      withEmulator(ctx, {}, async (emulator) => {
        emulator.failNext("maintenance");
        const { token } = await client(ctx, { fetch: emulator.fetch }).deleteUser("user-1");
        ok(typeof token === "string" && token, "a token");
        deepEqual(
          emulator.log().map((entry) => entry.status),
          [503, 200],
          "statuses",
        );
      }),
  },
  {
    name: "retry: a dropped connection is retried",
    fn: (ctx) =>
      withEmulator(ctx, {}, async (emulator) => {
        emulator.failNext("reset");
        await client(ctx, { fetch: emulator.fetch }).deleteUser("user-1");
        deepEqual(
          emulator.log().map((entry) => entry.fault ?? entry.status),
          ["reset", 200],
          "attempts",
        );
      }),
  },
  {
    name: "retry: a 401 is never retried; a lasting 503 gives up after `retries`",
    fn: (ctx) =>
      withEmulator(ctx, {}, async (emulator) => {
        const denied = client(ctx, { fetch: emulator.fetch, restApiKey: "wrong-rest-key" });
        has(await rejects(denied.deleteUser("user-1")), { status: 401, attempts: 1 });
        emulator.setFaults({ maintenance: 1 });
        const error = await rejects(client(ctx, { fetch: emulator.fetch }).deleteUser("user-1"));
        has(error, { name: "MAINTENANCE_ERROR", attempts: FAST_RETRY.retries + 1 });
        equal(emulator.stats().requests, 1 + FAST_RETRY.retries + 1, "requests sent");
      }),
  },
  {
    name: "timeout: a fetch that never answers ends with BatchTimeoutError",
    fn: async (ctx) => {
      const fetch = silentFetch();
      const started = Date.now();
      const error = await rejects(
        client(ctx, { fetch, timeoutMs: 50, retry: false }).deleteUser("user-1"),
      );
      isError(error, ctx.core.BatchTimeoutError, { retryable: true, attempts: 1 });
      ok(Date.now() - started < 5000, "gave up within the timeout");
      // The runtime must be told to drop the request, not just be ignored.
      equal(fetch.inits[0].signal.aborted, true, "fetch's signal aborted");
    },
  },
  {
    name: "timeout: the emulator's hang fault ends with BatchTimeoutError",
    fn: (ctx) =>
      withEmulator(ctx, {}, async (emulator) => {
        emulator.failNext("hang");
        const c = client(ctx, { fetch: emulator.fetch, timeoutMs: 50, retry: false });
        isError(await rejects(c.deleteUser("user-1")), ctx.core.BatchTimeoutError);
      }),
  },
  {
    name: "abort: aborting a call in flight rejects with BatchAbortError",
    fn: async (ctx) => {
      const controller = new AbortController();
      const c = client(ctx, { fetch: silentFetch() });
      const call = c.deleteUser("user-1", { signal: controller.signal });
      setTimeout(() => controller.abort(), 20);
      isError(await rejects(call), ctx.core.BatchAbortError, { retryable: false });
    },
  },
  {
    name: "abort: an already aborted signal sends nothing",
    fn: async (ctx) => {
      const fetch = fakeFetch(200, '{"token":"t"}');
      const c = client(ctx, { fetch });
      const signal = AbortSignal.abort();
      isError(await rejects(c.deleteUser("user-1", { signal })), ctx.core.BatchAbortError);
      const error = await rejects(c.deleteUsers(["user-1", "user-2"], { signal }));
      isError(error, ctx.core.BatchAbortError);
      has(error.report, { confirmed: 0 }, "report");
      equal(fetch.calls, 0, "calls sent");
    },
  },
  {
    name: "validation: an empty or non-string id is refused before anything is sent",
    fn: async (ctx) => {
      const fetch = fakeFetch(200, '{"token":"t"}');
      const c = client(ctx, { fetch });
      for (const call of [
        () => c.deleteUser(""),
        () => c.deleteUser(42),
        () => c.deleteUsers(["user-1", ""]),
        () => c.deleteUsers(["user-1", null]),
      ]) {
        isError(await rejects(call()), ctx.core.BatchValidationError);
      }
      equal(fetch.calls, 0, "calls sent");
    },
  },
  {
    name: "validation: a string passed as ids is refused",
    fn: async (ctx) => {
      const fetch = fakeFetch(200, '{"token":"t"}');
      const error = await rejects(client(ctx, { fetch }).deleteUsers("user-1"));
      isError(error, ctx.core.BatchValidationError);
      ok(error.message.includes("deleteUser"), `message points to deleteUser: ${error.message}`);
      equal(fetch.calls, 0, "calls sent");
    },
  },
  {
    name: "validation: bad configuration throws at createClient",
    fn: (ctx) => {
      const good = { apiKey: API_KEY, restApiKey: REST_KEY };
      const bad = [
        { restApiKey: REST_KEY },
        { ...good, apiKey: "" },
        { ...good, apiKey: [] },
        { ...good, apiKey: [API_KEY, API_KEY] },
        { apiKey: API_KEY },
        { ...good, restApiKey: "rest key with spaces" },
        { ...good, baseUrl: "ftp://api.batch.com/1.0" },
        { ...good, baseUrl: "https://user:pass@api.batch.com/1.0" },
        { ...good, baseUrl: "not a url" },
        { ...good, fetch: "fetch" },
        { ...good, timeoutMs: 0 },
        { ...good, concurrency: 0 },
        { ...good, chunkSize: 10_001 },
        { ...good, retry: { retries: -1 } },
      ];
      for (const options of bad) {
        const error = throws(() => ctx.core.createClient(options), JSON.stringify(options));
        isError(error, ctx.core.BatchValidationError);
        assertNoKeys([error.message], "a validation error");
        ok(!error.message.includes("rest key with spaces"), "message quotes a bad key");
      }
    },
  },
  {
    name: "redaction: no key in an API error's message, String or JSON",
    fn: async (ctx) => {
      const echo = JSON.stringify({
        error_code: 10,
        error_message: `bad ${API_KEY} ${encodeURIComponent(API_KEY)} ${REST_KEY}`,
      });
      const c = client(ctx, { fetch: fakeFetch(401, echo), retry: false });
      const error = await rejects(c.deleteUser("user-1"));
      isError(error, ctx.core.BatchApiError);
      assertNoKeys(printed(error), "an API error");
    },
  },
  {
    name: "redaction: no key in a network error that quotes the URL and headers",
    fn: async (ctx) => {
      const leaky = async (url, init) => {
        throw new TypeError(`fetch failed: ${url} ${init.headers["X-Authorization"]}`);
      };
      const error = await rejects(client(ctx, { fetch: leaky, retry: false }).deleteUser("u"));
      isError(error, ctx.core.BatchNetworkError);
      assertNoKeys(printed(error), "a network error");
    },
  },
  {
    name: "redaction: no key in a failed bulk deletion's error or report",
    fn: async (ctx) => {
      const echo = JSON.stringify({ error_code: 1, message: `${API_KEY} ${REST_KEY}` });
      const c = client(ctx, { fetch: fakeFetch(500, echo), retry: false });
      const error = await rejects(c.deleteUsers(["user-1", "user-2"]));
      isError(error, ctx.core.BatchDeleteError);
      deepEqual(error.report.failedIds, ["user-1", "user-2"], "failedIds");
      assertNoKeys(printed(error), "a bulk error");
    },
  },
  {
    name: "fetch is called as a plain function, never as a method",
    fn: (ctx) =>
      withEmulator(ctx, {}, async (emulator) => {
        const seen = [];
        // Strict-mode module code: a plain call sees `this === undefined`.
        function spy(url, init) {
          seen.push(this);
          return emulator.fetch(url, init);
        }
        const c = client(ctx, { fetch: spy });
        await c.deleteUser("user-1");
        await c.deleteUsers(["user-2", "user-3"]);
        equal(seen.length, 2, "calls");
        for (const self of seen) ok(self === undefined || self === globalThis, "fetch's `this`");
      }),
  },
  {
    name: "network: deleteUser over HTTP with the runtime's global fetch",
    fn: async (ctx) => {
      servedOrigin(ctx);
      const c = client(ctx, { baseUrl: ctx.baseUrl, retry: false, timeoutMs: 10_000 });
      const { token } = await c.deleteUser(`${ctx.runtime}/é user?#`);
      has(await servedTransaction(ctx, token), { kind: "single", ids: 1 });
    },
  },
  {
    name: "network: deleteUsers sends its JSON body with DELETE over HTTP",
    fn: async (ctx) => {
      servedOrigin(ctx);
      const c = client(ctx, { baseUrl: ctx.baseUrl, retry: false, timeoutMs: 10_000 });
      const ids = ["a", "b", "c"].map((x) => `${ctx.runtime}-${x}-é`);
      const report = await c.deleteUsers(ids);
      has(report, { confirmed: 3, calls: 1 });
      has(await servedTransaction(ctx, report.tokens[0].token), { kind: "bulk", ids: 3 });
    },
  },
  {
    name: "network: the global fetch passed as the `fetch` option works unbound",
    fn: async (ctx) => {
      servedOrigin(ctx);
      const c = client(ctx, { baseUrl: ctx.baseUrl, fetch: globalThis.fetch, retry: false });
      const { token } = await c.deleteUser(`${ctx.runtime}-unbound`);
      ok(typeof token === "string" && token, "a token");
    },
  },
  {
    name: "network: a wrong REST key over HTTP maps to AUTHENTICATION_INVALID",
    fn: async (ctx) => {
      servedOrigin(ctx);
      const c = client(ctx, { baseUrl: ctx.baseUrl, restApiKey: "wrong-rest-key", retry: false });
      const error = await rejects(c.deleteUser(`${ctx.runtime}-denied`));
      isError(error, ctx.core.BatchApiError, { name: "AUTHENTICATION_INVALID", code: 10 });
    },
  },
];
