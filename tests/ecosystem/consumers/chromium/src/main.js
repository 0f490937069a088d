// A web page: the core and @batch-custom-data/browser bundled by esbuild for the browser (the
// `browser` export condition), run by Chromium against the emulator on another origin (CORS).
// Without `dangerouslyAllowBrowser: true` every way of making a client with the REST key is
// refused here; the scenario runs with it. Then the browser package: ids read and checked
// from a `File`, deleted by its (opted-in) client, and a proxy's error told by isBatchProxyError.
import * as browser from "@batch-custom-data/browser";
import * as core from "@batch-custom-data/core";
import * as env from "@batch-custom-data/core/env";
import * as read from "@batch-custom-data/core/ids";
import { scenario } from "../scenario.mjs";

const config = JSON.parse(new URLSearchParams(location.search).get("config"));
run(config).then(
  (tokens) => {
    window.result = { ok: true, tokens };
  },
  (error) => {
    window.result = { ok: false, error: String(error?.stack ?? error) };
  },
);

function check(ok, what) {
  if (!ok) throw new Error(`check failed: ${what}`);
}

/** `make()` must throw the guard's refusal, naming `caller`, the option and the proxy. */
function refused(make, caller, { apiKey, restApiKey }) {
  let error;
  try {
    make();
  } catch (caught) {
    error = caught;
  }
  check(error instanceof core.BatchValidationError, `${caller} is refused in a page`);
  check(error.option === "dangerouslyAllowBrowser", `${caller}'s refusal names the option`);
  check(error.message.startsWith(`${caller} refused to run in a browser`), error.message);
  check(/proxy/.test(error.message), `${caller}'s refusal names the proxy`);
  const printed = `${error.message} ${String(error)} ${JSON.stringify(error)}`;
  check(!printed.includes(apiKey) && !printed.includes(restApiKey), "no key in the refusal");
}

async function run(config) {
  const { apiKey, restApiKey, baseUrl, ids } = config;
  const options = { apiKey, restApiKey, baseUrl };
  const variables = { BATCH_API_KEY: apiKey, BATCH_REST_API_KEY: restApiKey };
  check(core.isBrowserRuntime(), "the core sees a browser");
  refused(() => core.createClient(options), "createClient", config);
  refused(() => env.createClientFromEnv(variables), "createClientFromEnv", config);
  refused(() => browser.createClient(options), "createClient", config);
  refused(() => browser.createClientFromEnv(variables), "createClientFromEnv", config);
  check(browser.BatchValidationError === core.BatchValidationError, "one copy of the core");

  const tokens = await scenario({ core, env, read }, config, { dangerouslyAllowBrowser: true });

  // A file the page's user chose: counted and checked first, then read as it streams.
  const bad = new File([`id\nu-1\n${"x".repeat(1024)}\n`], "bad.csv", { type: "text/csv" });
  const problem = (await browser.countFileIds(bad, { column: "id" })).firstProblem;
  check(problem?.line === 3, `a file's bad line is named: ${JSON.stringify(problem)}`);
  const file = new File([`id\n${ids.slice(5, 7).join("\n")}\n`], "ids.csv", { type: "text/csv" });
  const counted = await browser.countFileIds(file, { column: "id" });
  check(counted.count === 2 && counted.firstProblem === undefined, "the file's ids counted");
  const client = browser.createClient({ ...options, dangerouslyAllowBrowser: true });
  const fromFile = await client.deleteUsers(browser.readFileIds(file, { column: "id" }));
  check(fromFile.confirmed === 2 && fromFile.complete, "the file's ids deleted");

  // A proxy's answer (the page's real client, on ky, with the proxy's JSON error faked).
  const proxy = browser.createProxyClient({
    url: "https://privacy.example.com",
    token: "user-token",
    retry: false,
    fetch: async () =>
      Response.json(
        { error: { code: "UNAUTHORIZED", message: "Sign in again." } },
        { status: 401 },
      ),
  });
  let proxyError;
  try {
    await proxy.deleteMe();
  } catch (caught) {
    proxyError = caught;
  }
  check(browser.isBatchProxyError(proxyError), "isBatchProxyError tells the proxy's error");
  check(proxyError.proxyCode === "UNAUTHORIZED" && proxyError.status === 401, "its fields");
  check(core.isBatchApiError(proxyError), "a proxy's error is a BatchApiError too");
  const notProxy = new core.BatchApiError("HTTP 401", {
    name: "AUTHENTICATION_INVALID",
    status: 401,
    retryable: false,
  });
  check(!browser.isBatchProxyError(notProxy), "a core error is not a proxy's");

  return [...tokens, ...fromFile.tokens.map((t) => t.token ?? t)];
}
