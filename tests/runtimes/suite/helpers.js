// What the cases share: an in-process emulator, a client on it, fake fetches, key checks,
// and a look into the served emulator.

import { API_KEY, keysIn, REST_KEY } from "@batch-custom-data/test-helpers";
import { equal, ok } from "./assert.js";

/** Retries without the default half-second waits: the suite must stay fast. */
export const FAST_RETRY = { retries: 3, baseDelayMs: 1, maxDelayMs: 5 };

/** An in-process emulator, injected as `fetch`: nothing goes to the network. */
export async function withEmulator(ctx, options, fn) {
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

/**
 * Every client of the suite opts in to run in a browser: Chromium's page refuses a client
 * without it (cases-guard.js), and elsewhere the option changes nothing.
 */
export const ALLOW = { dangerouslyAllowBrowser: true };

export function client(ctx, options) {
  return ctx.core.createClient({
    apiKey: API_KEY,
    restApiKey: REST_KEY,
    retry: FAST_RETRY,
    ...ALLOW,
    ...options,
  });
}

/** A fetch that answers every call with `status` and `body`, and counts the calls. */
export function fakeFetch(status, body = "", headers = {}) {
  const fake = async () => {
    fake.calls++;
    return new Response(body, { status, headers });
  };
  fake.calls = 0;
  return fake;
}

/** A fetch that never answers (and ignores its signal), recording the init it got. */
export function silentFetch() {
  const silent = (_url, init) => {
    silent.inits.push(init);
    return new Promise(() => {});
  };
  silent.inits = [];
  return silent;
}

/** The Batch error of a rejected call: the error itself, or a bulk report's first failure. */
export function apiErrorOf(error, core) {
  if (error instanceof core.BatchDeleteError) return error.report.failures[0].error;
  return error;
}

/** The serialisations a log, a bug report or an error tracker could show. */
export function printed(error) {
  return [error.message, String(error), JSON.stringify(error), String(error.stack ?? "")];
}

export function assertNoKeys(texts, where) {
  for (const text of texts) ok(keysIn(text).length === 0, `${where} shows a key: ${text}`);
}

export function servedOrigin(ctx) {
  ok(ctx.baseUrl, "no served emulator: the driver got no baseUrl (run it through run.js)");
  return new URL(ctx.baseUrl).origin;
}

/** Asks the served emulator what it received for `token` (its admin routes, not Batch's). */
export async function servedTransaction(ctx, token) {
  const response = await fetch(`${servedOrigin(ctx)}/_emulator/transactions/${token}`, {
    headers: { "X-Authorization": REST_KEY },
  });
  equal(response.status, 200, "admin transaction lookup status");
  return response.json();
}
