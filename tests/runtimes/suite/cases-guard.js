// The browser guard in the real runtimes: a page (Chromium) refuses a client without
// `dangerouslyAllowBrowser: true`, because its REST key would be anyone's to read there; Node,
// Deno 2 (a `navigator`, no `window`) and workerd (neither `window` nor `document`) make it.

import { API_KEY, REST_KEY } from "@batch-custom-data/test-helpers";
import { equal, isError, ok, throws } from "./assert.js";
import { assertNoKeys, fakeFetch, printed } from "./helpers.js";

const BROWSERS = ["chromium"];

export const guardCases = [
  {
    name: "guard: without dangerouslyAllowBrowser, a page refuses the client; other runtimes make it",
    fn: async (ctx) => {
      const inPage = BROWSERS.includes(ctx.runtime);
      equal(ctx.core.isBrowserRuntime(), inPage, `isBrowserRuntime() in ${ctx.runtime}`);
      const fetch = fakeFetch(200, '{"token":"t-1"}');
      const makers = {
        createClient: () =>
          ctx.core.createClient({ apiKey: API_KEY, restApiKey: REST_KEY, fetch, retry: false }),
        createClientFromEnv: () =>
          ctx.env.createClientFromEnv(
            { BATCH_API_KEY: API_KEY, BATCH_REST_API_KEY: REST_KEY },
            { fetch, retry: false },
          ),
      };
      for (const [name, make] of Object.entries(makers)) {
        if (!inPage) {
          const { token } = await make().deleteUser("u1");
          equal(token, "t-1", `${name}'s token in ${ctx.runtime}`);
          continue;
        }
        const error = throws(make, name);
        isError(error, ctx.core.BatchValidationError, { option: "dangerouslyAllowBrowser" });
        ok(error.message.startsWith(`${name} refused to run in a browser:`), error.message);
        ok(/REST API key/.test(error.message), `the refusal names the risk: ${error.message}`);
        ok(/a proxy/.test(error.message), `the refusal names the proxy: ${error.message}`);
        ok(error.message.includes("dangerouslyAllowBrowser: true"), error.message);
        assertNoKeys(printed(error), "the refusal");
      }
      equal(fetch.calls, inPage ? 0 : 2, "calls sent");
    },
  },
  {
    name: "guard: dangerouslyAllowBrowser: true makes the client everywhere, and it deletes",
    fn: async (ctx) => {
      const fetch = fakeFetch(200, '{"token":"t-2"}');
      const options = { fetch, retry: false, dangerouslyAllowBrowser: true };
      const client = ctx.core.createClient({ apiKey: API_KEY, restApiKey: REST_KEY, ...options });
      equal((await client.deleteUser("u1")).token, "t-2", "createClient's token");
      const env = { BATCH_API_KEY: API_KEY, BATCH_REST_API_KEY: REST_KEY };
      const fromEnv = ctx.env.createClientFromEnv(env, options);
      equal((await fromEnv.deleteUsers(["u2"])).confirmed, 1, "createClientFromEnv's ids");
      equal(fetch.calls, 2, "calls sent");
    },
  },
];
