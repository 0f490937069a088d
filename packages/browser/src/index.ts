/**
 * @batch-custom-data/browser, outside a bundle for browsers (Node for server rendering, Deno,
 * Workers, a page loading this file itself): the guard tells a browser at run time.
 * Bundlers building for browsers resolve the package to browser.ts instead.
 */
import type { BatchClient, ClientOptions } from "@batch-custom-data/core";
import type { EnvRecord } from "@batch-custom-data/core/env";
import { isBrowserRuntime } from "./detect.js";
import {
  type BrowserClientOptions,
  type BrowserOptIn,
  guardedCreateClient,
  guardedCreateClientFromEnv,
} from "./guard.js";

// The core's API (re-exported in each entry: a bundler keeps `export *` of a package only there).
export * from "@batch-custom-data/core";
export * from "@batch-custom-data/core/ids";
export * from "./shared.js";

/**
 * The core's `createClient`, refused in a browser (a page or its workers) unless
 * `dangerouslyAllowBrowser: true`: the REST key it needs must not reach a page.
 */
export function createClient(options: BrowserClientOptions): BatchClient {
  return guardedCreateClient(options, isBrowserRuntime);
}

/** The core's `createClientFromEnv`, refused in a browser as `createClient` is. */
export function createClientFromEnv(
  environment: EnvRecord,
  overrides?: Partial<ClientOptions> & BrowserOptIn,
): BatchClient {
  return guardedCreateClientFromEnv(environment, overrides, isBrowserRuntime);
}
