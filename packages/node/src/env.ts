import {
  type BatchClient,
  BatchValidationError,
  type ClientOptions,
  createClient,
} from "@batch-custom-data/core";
import { createNodeFetch } from "./fetch.js";

/** The environment variables `createClientFromEnv` reads. */
export const ENV = {
  apiKey: "BATCH_API_KEY",
  restApiKey: "BATCH_REST_API_KEY",
  baseUrl: "BATCH_BASE_URL",
} as const;

export type Env = Readonly<Record<string, string | undefined>>;

/** The client options that the environment gives, without making a client. */
export interface EnvConfig {
  apiKey: string[];
  restApiKey: string;
  baseUrl?: string;
}

function missing(name: string, what: string): BatchValidationError {
  return new BatchValidationError(`${name} is not set: set it to ${what}.`);
}

/**
 * Reads `BATCH_API_KEY` (one app key, or several separated by commas: one per app),
 * `BATCH_REST_API_KEY` and the optional `BATCH_BASE_URL`. A variable that `overrides`
 * replaces is not needed. Errors name the variable, never its value.
 */
export function readEnvConfig(
  env: Env = process.env,
  overrides: Partial<ClientOptions> = {},
): Partial<EnvConfig> {
  const config: Partial<EnvConfig> = {};
  if (overrides.apiKey === undefined) {
    const raw = env[ENV.apiKey];
    if (raw === undefined || raw.trim() === "") {
      throw missing(ENV.apiKey, "your app's Batch API key (several apps: KEY1,KEY2)");
    }
    // Keys hold no whitespace, so spaces after commas are separators, not part of a key.
    const keys = raw.split(",").map((key) => key.trim());
    const empty = keys.indexOf("");
    if (empty !== -1) {
      throw new BatchValidationError(
        `${ENV.apiKey} has an empty entry (number ${empty + 1} of ${keys.length}): list app keys separated by single commas, e.g. KEY1,KEY2.`,
      );
    }
    config.apiKey = keys;
  }
  if (overrides.restApiKey === undefined) {
    const raw = env[ENV.restApiKey];
    if (raw === undefined || raw === "") {
      throw missing(
        ENV.restApiKey,
        "your company's REST API key (Batch dashboard, Settings → General)",
      );
    }
    config.restApiKey = raw;
  }
  const baseUrl = env[ENV.baseUrl];
  if (baseUrl !== undefined && baseUrl !== "") config.baseUrl = baseUrl;
  return config;
}

/** The core's validation messages name options: say which variable the bad value came from. */
const OPTIONS: [option: keyof EnvConfig, pattern: RegExp][] = [
  ["apiKey", /\bapiKey\b/],
  ["restApiKey", /\brestApiKey\b/],
  ["baseUrl", /\bbaseUrl\b/],
];

/**
 * Makes a client from environment variables (see `readEnvConfig`); `overrides` win over the
 * environment (e.g. `{ baseUrl, concurrency, fetch }`). Calls go through `createNodeFetch()`
 * (connections kept alive) unless `overrides.fetch` says otherwise. Throws a `BatchValidationError` that
 * names the variable to set or fix; no message ever holds a key.
 */
export function createClientFromEnv(
  env: Env = process.env,
  overrides: Partial<ClientOptions> = {},
): BatchClient {
  const fromEnv = readEnvConfig(env, overrides);
  const given = definedOnly(overrides);
  try {
    // Node's keep-alive transport unless told otherwise (see fetch.ts for why and what it gains).
    return createClient({ fetch: createNodeFetch(), ...fromEnv, ...given } as ClientOptions);
  } catch (error) {
    if (error instanceof BatchValidationError) {
      const culprit = OPTIONS.find(
        ([option, pattern]) =>
          fromEnv[option] !== undefined && !(option in given) && pattern.test(error.message),
      );
      if (culprit) error.message = `${ENV[culprit[0]]}: ${error.message}`;
    }
    throw error;
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
