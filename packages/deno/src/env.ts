/**
 * Configuration from `Deno.env`, reading only the variables the core's `env` module knows
 * (one by one with `Deno.env.get`, never `Deno.env.toObject()`, which needs every variable),
 * so `--allow-env=BATCH_API_KEY,BATCH_REST_API_KEY,…` is all the environment access it needs.
 */
import { type BatchClient, type ClientOptions, DEFAULT_BASE_URL } from "@batch-custom-data/core";
import {
  clientOptionsFromEnv,
  createClientFromEnv as createClientFromRecord,
  ENV,
  ENV_VARIABLES,
} from "@batch-custom-data/core/env";
import { granted, netHost, permissionError } from "./permissions.ts";

/** The flag that lets `createClientFromEnv` read every variable it may need. */
export const ALLOW_ENV: string = `--allow-env=${ENV_VARIABLES.join(",")}`;

/** The variables `createClientFromEnv(overrides)` reads: those an override replaces are skipped. */
export function envVariables(overrides: Partial<ClientOptions> = {}): string[] {
  return Object.entries(ENV)
    .filter(([option]) => overrides[option as keyof ClientOptions] === undefined)
    .map(([, variable]) => variable);
}

/**
 * A client configured from `BATCH_API_KEY`, `BATCH_REST_API_KEY` and the optional tuning
 * variables (see the core's `env` module); `overrides` win and an overridden variable is not
 * read. Throws a `BatchValidationError` naming the flag to add when Deno may not read a
 * variable, or (unless `overrides.fetch` replaces the network) may not reach the API's host.
 */
export function createClientFromEnv(overrides: Partial<ClientOptions> = {}): BatchClient {
  const variables = envVariables(overrides);
  const refused = variables.filter((variable) => !granted({ name: "env", variable }));
  if (refused.length > 0) {
    throw permissionError(`read ${refused.join(", ")}`, `--allow-env=${variables.join(",")}`);
  }
  const env = Object.fromEntries(variables.map((variable) => [variable, Deno.env.get(variable)]));
  const client = createClientFromRecord(env, overrides);
  // Without this check a refused connection would surface as a network error, retried for
  // minutes; a run with --allow-net for another host must say so at once.
  if (overrides.fetch === undefined) {
    const url = new URL(clientOptionsFromEnv(env, overrides).baseUrl ?? DEFAULT_BASE_URL);
    const host = netHost(url);
    if (!granted({ name: "net", host })) {
      throw permissionError(`connect to the API at ${host}`, `--allow-net=${host}`);
    }
  }
  return client;
}
