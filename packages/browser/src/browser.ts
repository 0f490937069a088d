/**
 * @batch-custom-data/browser as bundlers resolve it for a page (the `browser` export
 * condition): the bundle is for a browser, so the guard refuses whatever run-time detection
 * would say (a worker, a sandboxed frame, a global someone deleted).
 */
import type { BatchClient, ClientOptions } from "@batch-custom-data/core";
import type { EnvRecord } from "@batch-custom-data/core/env";
import {
  type BrowserClientOptions,
  type BrowserOptIn,
  guardedCreateClient,
  guardedCreateClientFromEnv,
} from "./guard.js";

const always = () => true;

// The core's API (re-exported in each entry: a bundler keeps `export *` of a package only there).
export * from "@batch-custom-data/core";
export * from "@batch-custom-data/core/ids";
export * from "./shared.js";

/**
 * The core's `createClient`, refused in this browser build unless `dangerouslyAllowBrowser:
 * true`: the REST key it needs must not reach a page.
 */
export function createClient(options: BrowserClientOptions): BatchClient {
  return guardedCreateClient(options, always);
}

/** The core's `createClientFromEnv`, refused in this browser build as `createClient` is. */
export function createClientFromEnv(
  environment: EnvRecord,
  overrides?: Partial<ClientOptions> & BrowserOptIn,
): BatchClient {
  return guardedCreateClientFromEnv(environment, overrides, always);
}
