// One real round trip per runtime, with the runtime's own fetch, to the emulator that
// run.js serves on 127.0.0.1: catches transport differences (DELETE with a body, headers, CORS).
import { has, isError, ok, rejects } from "./assert.js";
import { client, servedOrigin, servedTransaction } from "./helpers.js";

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
];
