/**
 * @batch-custom-data/node: the core client and its portable subpaths, plus what Node owns:
 * `process.env`, files, and a keep-alive transport (the default of every client made here).
 */
export * from "@batch-custom-data/core";
export * from "@batch-custom-data/core/env";
export * from "@batch-custom-data/core/ids";
// Declared here, these win over the core's namesakes that `export *` brings in.
export { createClient, createClientFromEnv } from "./client.js";
export { createNodeFetch, type NodeFetch, type NodeFetchOptions } from "./fetch.js";
export { countIds, type IdInput, readIds } from "./read-ids.js";
