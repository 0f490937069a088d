// One real round trip per runtime, with the runtime's own fetch, to the emulator that
// run.js serves on 127.0.0.1: catches transport differences (DELETE with a body, headers, CORS).
import { equal, has, isError, ok, rejects } from "./assert.js";
import { assertNoKeys, client, printed, servedOrigin, servedTransaction } from "./helpers.js";

/**
 * What each runtime's fetch gives for `redirect: "manual"`: a browser hides the redirect
 * (an opaque answer: status 0, no Location); servers-side runtimes hand over the 3xx itself.
 */
const OPAQUE_REDIRECTS = new Set(["chromium"]);

export const networkCases = [
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
  {
    name: "network: a redirect is never followed (the runtime's own fetch, redirect: manual)",
    fn: async (ctx) => {
      const origin = servedOrigin(ctx);
      // /redirect/ answers 307 to /followed/, which would confirm the deletion with a token.
      const baseUrl = `${origin}/redirect/1.0`;
      const c = client(ctx, { baseUrl, retry: false, timeoutMs: 10_000 });
      const error = await rejects(c.deleteUser(`${ctx.runtime}-redirected@example.com`));
      isError(error, ctx.core.BatchApiError, { name: "REDIRECTED", retryable: false, attempts: 1 });
      ok(ctx.core.isBatchApiError(error), "isBatchApiError");
      if (OPAQUE_REDIRECTS.has(ctx.runtime)) {
        has(error, { status: 0, location: undefined });
      } else {
        has(error, { status: 307, location: `${origin}/followed/1.0/***/data/users/{id}` });
      }
      assertNoKeys(printed(error), "a redirect error");
      for (const text of printed(error)) ok(!text.includes("redirected@"), `an id in ${text}`);

      const bulk = await rejects(c.deleteUsers(["a", "b"], { chunkSize: 1, concurrency: 1 }));
      isError(bulk, ctx.core.BatchDeleteError);
      has(bulk.report, { confirmed: 0, failed: 2, calls: 1 });
      equal(bulk.report.stoppedBy.reason, "halt", "stoppedBy.reason");
    },
  },
];
