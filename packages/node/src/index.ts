/**
 * @batch-custom-data/node: the core client, plus what Node owns: configuration from
 * environment variables, a keep-alive transport, and ids streamed from files (lines, CSV,
 * NDJSON).
 */
export * from "@batch-custom-data/core";
export { createClientFromEnv, ENV, type Env, type EnvConfig, readEnvConfig } from "./env.js";
export { createNodeFetch, type NodeFetch, type NodeFetchOptions } from "./fetch.js";
export {
  ID_FORMATS,
  type IdFormat,
  type IdInput,
  IdReadError,
  type ReadIdsOptions,
  readIds,
} from "./read-ids.js";
