import * as core from "@batch-custom-data/core";
import * as env from "@batch-custom-data/core/env";

/** The opt-in, on either way of making a client. */
export interface BrowserOptIn {
  /**
   * Make a client with a REST API key in a browser anyway. Only where the key is safe: a test
   * page on your own machine, against the emulator. Never in a page you ship.
   */
  dangerouslyAllowBrowser?: boolean;
}

export type BrowserClientOptions = core.ClientOptions & BrowserOptIn;

const REFUSAL =
  "refused to run in a browser: it needs your Batch REST API key, and a key in a page can be " +
  "read by anyone who opens it (the page's code, devtools, an extension) and then used to " +
  "delete any user's data in your apps. Batch's API does not answer browsers anyway (no " +
  "CORS). Keep the key on a server that deletes on the page's behalf: a proxy such as " +
  "apps/worker-proxy, called with createProxyClient from @batch-custom-data/browser. If this " +
  "code runs only where the key is safe (a test page on your machine, against the emulator), " +
  "pass dangerouslyAllowBrowser: true.";

function refuse(what: string, optIn: BrowserOptIn | undefined, inBrowser: () => boolean): void {
  if (inBrowser() && optIn?.dangerouslyAllowBrowser !== true) {
    throw new core.BatchValidationError(`${what} ${REFUSAL}`, {
      option: "dangerouslyAllowBrowser",
    });
  }
}

/** Removes the opt-in before the options reach the core, which does not know it. */
function withoutOptIn<T extends BrowserOptIn | undefined>(
  options: T,
): Omit<NonNullable<T>, "dangerouslyAllowBrowser"> {
  const { dangerouslyAllowBrowser: _, ...rest } = Object(options) as NonNullable<T>;
  return rest;
}

/**
 * The core's `createClient` behind the guard: in a browser (as `inBrowser` tells), making a
 * client (which needs the REST key) throws a `BatchValidationError` naming
 * `dangerouslyAllowBrowser`, before anything is sent or even checked.
 */
export function guardedCreateClient(
  options: BrowserClientOptions,
  inBrowser: () => boolean,
): core.BatchClient {
  refuse("createClient", options, inBrowser);
  return core.createClient(withoutOptIn(options) as core.ClientOptions);
}

/** The core's `createClientFromEnv` behind the same guard. */
export function guardedCreateClientFromEnv(
  environment: env.EnvRecord,
  overrides: (Partial<core.ClientOptions> & BrowserOptIn) | undefined,
  inBrowser: () => boolean,
): core.BatchClient {
  refuse("createClientFromEnv", overrides, inBrowser);
  return env.createClientFromEnv(environment, withoutOptIn(overrides));
}
