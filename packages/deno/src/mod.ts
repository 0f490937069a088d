/**
 * @batch-custom-data/deno: the core client, plus what Deno owns: configuration from
 * `Deno.env` (only the variables it reads, so a narrow `--allow-env` list suffices) and ids
 * read from files or stdin with Deno's file API. A missing permission is an error naming the
 * flag to add, never a prompt.
 *
 * @module
 */
export * from "@batch-custom-data/core";
export {
  clientOptionsFromEnv,
  ENV,
  ENV_VARIABLES,
  type EnvRecord,
} from "@batch-custom-data/core/env";
export {
  type ByteSource,
  type IdCount,
  type IdFormat,
  IdReadError,
  type ReadIdsOptions,
} from "@batch-custom-data/core/ids";
export { ALLOW_ENV, createClientFromEnv, envVariables } from "./env.ts";
export { countIds, type IdInput, openIds, readIds } from "./ids.ts";
