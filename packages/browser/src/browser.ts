/**
 * @batch-custom-data/browser as bundlers resolve it for a page (the `browser` export
 * condition): the bundle is for a browser, so `createClient` and `createClientFromEnv` refuse
 * whatever the core's run-time detection would say (a worker, a sandboxed frame, a global
 * someone deleted), with the core's own refusal.
 */
import * as core from "@batch-custom-data/core";
import * as env from "@batch-custom-data/core/env";

// The core's API (re-exported in each entry: a bundler keeps `export *` of a package only there).
export * from "@batch-custom-data/core";
export * from "@batch-custom-data/core/ids";
export * from "./shared.js";

/**
 * The core's `createClient`, refused in this browser build unless `dangerouslyAllowBrowser:
 * true`: the REST key it needs must not reach a page.
 */
export function createClient(options: core.ClientOptions): core.BatchClient {
  core.refuseInBrowser("createClient", options, true);
  return core.createClient(options);
}

/** The core's `createClientFromEnv`, refused in this browser build as `createClient` is. */
export function createClientFromEnv(
  environment: env.EnvRecord,
  overrides?: Partial<core.ClientOptions>,
): core.BatchClient {
  core.refuseInBrowser("createClientFromEnv", overrides, true);
  return env.createClientFromEnv(environment, overrides);
}
