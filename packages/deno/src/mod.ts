/**
 * @batch-custom-data/deno: the core client and its portable subpaths, plus what Deno owns:
 * configuration from `Deno.env` (only the variables it reads, so a narrow `--allow-env` list
 * suffices) and ids read from files or stdin with Deno's file API. A missing permission is an
 * error naming the flag to add, never a prompt.
 *
 * @module
 */
export * from "@batch-custom-data/core";
export * from "@batch-custom-data/core/env";
export * from "@batch-custom-data/core/ids";
// Declared here, these win over the core's namesakes that `export *` brings in.
export { ALLOW_ENV, createClientFromEnv, envVariables } from "./env.ts";
export { countIds, type IdInput, openIds, readIds } from "./ids.ts";
