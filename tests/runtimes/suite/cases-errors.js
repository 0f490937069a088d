// Error mapping: every error of API.md's table, and other shapes of error bodies.

import { API_KEY } from "@batch-custom-data/test-helpers";
import { has, isError, rejects } from "./assert.js";
import { apiErrorOf, assertNoKeys, client, fakeFetch, withEmulator } from "./helpers.js";

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

const errorCase = ([name, status, code, retryable, how]) => ({
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
});

export const errorCases = [
  ...ERRORS.map(errorCase),
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
];
