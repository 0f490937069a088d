/**
 * @batch-custom-data/browser as bundlers resolve it for a page (the `browser` export
 * condition): the bundle is for a browser, so the guard refuses whatever the detection would
 * say (a worker, a sandboxed frame, a global someone deleted).
 */
import { guardedFactories } from "./guard.js";

// The core's API (re-exported in each entry: a bundler keeps `export *` of a package only there).
export * from "@batch-custom-data/core";
export * from "@batch-custom-data/core/ids";
export * from "./shared.js";

const guarded = guardedFactories(() => true);
/**
 * The core's `createClient`, refused in this browser build unless `dangerouslyAllowBrowser:
 * true`: the REST key it needs must not reach a page.
 */
export const createClient = guarded.createClient;
/** The core's `createClientFromEnv`, refused in this browser build as `createClient` is. */
export const createClientFromEnv = guarded.createClientFromEnv;
