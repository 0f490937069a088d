/**
 * @batch-custom-data/browser, outside a bundle for browsers (Node for server rendering, Deno,
 * Workers, a page loading this file itself): the guard tells a browser at run time.
 * Bundlers building for browsers resolve the package to browser.ts instead.
 */
import { isBrowserRuntime } from "./detect.js";
import { guardedFactories } from "./guard.js";

// The core's API (re-exported in each entry: a bundler keeps `export *` of a package only there).
export * from "@batch-custom-data/core";
export * from "@batch-custom-data/core/ids";
export * from "./shared.js";

const guarded = guardedFactories(isBrowserRuntime);
/**
 * The core's `createClient`, refused in a browser (a page or its workers) unless
 * `dangerouslyAllowBrowser: true`: the REST key it needs must not reach a page.
 */
export const createClient = guarded.createClient;
/** The core's `createClientFromEnv`, refused in a browser as `createClient` is. */
export const createClientFromEnv = guarded.createClientFromEnv;
