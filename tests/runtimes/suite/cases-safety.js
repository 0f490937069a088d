// Bad input refused before sending, keys never printed, fetch never called as a method.

import { API_KEY, REST_KEY } from "@batch-custom-data/test-helpers";
import { deepEqual, equal, isError, ok, rejects, throws } from "./assert.js";
import { ALLOW, assertNoKeys, client, fakeFetch, printed, withEmulator } from "./helpers.js";

export const safetyCases = [
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
      const good = { apiKey: API_KEY, restApiKey: REST_KEY, ...ALLOW };
      const bad = [
        { restApiKey: REST_KEY, ...ALLOW },
        { ...good, apiKey: "" },
        { ...good, apiKey: [] },
        { ...good, apiKey: [API_KEY, API_KEY] },
        { apiKey: API_KEY, ...ALLOW },
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
        // Refused for what is wrong with it, not by the browser guard (Chromium's page).
        ok(error.option !== "dangerouslyAllowBrowser", `${error.option}: ${error.message}`);
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
];
