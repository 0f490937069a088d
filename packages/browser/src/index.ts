/**
 * @batch-custom-data/browser, outside a bundle for browsers (Node for server rendering, Deno,
 * Workers, a page loading this file itself): the core's `createClient` and
 * `createClientFromEnv`, which refuse in a browser (a page or its workers) unless
 * `dangerouslyAllowBrowser: true`. Bundlers building for browsers resolve the package to
 * browser.ts instead, which refuses whatever the detection says.
 */

// The core's API (re-exported in each entry: a bundler keeps `export *` of a package only there).
export * from "@batch-custom-data/core";
export { createClientFromEnv } from "@batch-custom-data/core/env";
export * from "@batch-custom-data/core/ids";
export * from "./shared.js";
