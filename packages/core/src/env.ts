/**
 * `@batch-custom-data/core/env`: client options from an environment record, in any runtime.
 * The record is whatever the runtime calls its environment: Node's `process.env`,
 * `Deno.env.toObject()`, a Worker's `env` (whose other bindings are objects: ignored). Pure:
 * it reads only the variables below and never a global.
 */
import { refuseInBrowser } from "./browser.js";
import { type BatchClient, createClient } from "./client.js";
import { type ClientOptions, defined } from "./config.js";
import { BatchValidationError } from "./errors.js";

/** The variables read, by the option each one sets. */
export const ENV = {
  apiKey: "BATCH_API_KEY",
  restApiKey: "BATCH_REST_API_KEY",
  baseUrl: "BATCH_BASE_URL",
  timeoutMs: "BATCH_TIMEOUT_MS",
  retry: "BATCH_RETRIES",
  concurrency: "BATCH_CONCURRENCY",
  chunkSize: "BATCH_CHUNK_SIZE",
} as const;

/** Every variable name, e.g. for Deno's `--allow-env=` list. */
export const ENV_VARIABLES: readonly string[] = Object.values(ENV);

/** `process.env`, `Deno.env.toObject()`, a Worker's `env`: values that are not strings are ignored unless they are ours. */
export type EnvRecord = Readonly<Record<string, unknown>>;

type Option = keyof typeof ENV;

const fault = (variable: string, message: string) =>
  new BatchValidationError(`${variable} ${message}`, { variable });

/** The variable's text, or undefined when unset or blank; a non-string value is a mistake. */
function read(env: EnvRecord, variable: string): string | undefined {
  const value = env[variable];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") {
    throw fault(variable, `must be a string (set it as a secret or a text variable).`);
  }
  return value.trim() === "" ? undefined : value;
}

function required(env: EnvRecord, variable: string, what: string): string {
  const value = read(env, variable);
  if (value === undefined) throw fault(variable, `is not set: set it to ${what}.`);
  return value;
}

/**
 * `KEY`, `KEY1,KEY2` (apps labelled "0", "1"…) or `ios=KEY1,android=KEY2` (labelled apps).
 * Keys hold no whitespace, so spaces around commas are separators, not part of a key.
 */
export function parseApiKeys(raw: string): string[] | Record<string, string> {
  const variable = ENV.apiKey;
  const entries = raw.split(",").map((entry) => entry.trim());
  const empty = entries.indexOf("");
  if (empty !== -1) {
    throw fault(
      variable,
      `has an empty entry (number ${empty + 1} of ${entries.length}): list app keys separated by single commas, e.g. KEY1,KEY2 or ios=KEY1,android=KEY2.`,
    );
  }
  const labelled = entries.map((entry) => /^([A-Za-z0-9_-]+)=(.+)$/.exec(entry));
  const count = labelled.filter(Boolean).length;
  if (count === 0) return entries;
  if (count !== entries.length) {
    throw fault(
      variable,
      "mixes labelled (label=KEY) and unlabelled entries: label every app or none.",
    );
  }
  const apps: Record<string, string> = {};
  for (const [, label, key] of labelled as RegExpExecArray[]) {
    if (Object.hasOwn(apps, label!)) throw fault(variable, `labels two apps "${label}".`);
    apps[label!] = key!;
  }
  return apps;
}

/** A whole number from `min`, or `Infinity` where allowed. */
function integer(env: EnvRecord, variable: string, min: number, infinite = false) {
  const raw = read(env, variable);
  if (raw === undefined) return undefined;
  const text = raw.trim();
  if (infinite && text === "Infinity") return Number.POSITIVE_INFINITY;
  if (!/^\d+$/.test(text) || Number(text) < min) {
    throw fault(
      variable,
      `must be a whole number ≥ ${min}${infinite ? " (or Infinity)" : ""}, e.g. ${variable}=${Math.max(min, 4)}.`,
    );
  }
  return Number(text);
}

/**
 * The `createClient` options that `env` gives, with `overrides` winning (an `undefined`
 * override is ignored; a variable an override replaces is not needed). Throws a
 * `BatchValidationError` whose `variable` names what to set; no message holds a value.
 */
export function clientOptionsFromEnv(
  env: EnvRecord,
  overrides: Partial<ClientOptions> = {},
): ClientOptions {
  if (typeof env !== "object" || env === null) {
    throw new BatchValidationError(
      "clientOptionsFromEnv: env must be an object of variables (process.env, Deno.env.toObject(), a Worker's env).",
    );
  }
  const given = defined(overrides);
  const fromEnv: Partial<ClientOptions> = {};
  if (!("apiKey" in given)) {
    fromEnv.apiKey = parseApiKeys(
      required(env, ENV.apiKey, "your app's Batch API key (several apps: KEY1,KEY2)"),
    );
  }
  if (!("restApiKey" in given)) {
    fromEnv.restApiKey = required(
      env,
      ENV.restApiKey,
      "your company's REST API key (Batch dashboard, Settings → General)",
    );
  }
  const baseUrl = read(env, ENV.baseUrl);
  if (baseUrl !== undefined) fromEnv.baseUrl = baseUrl;
  const timeoutMs = integer(env, ENV.timeoutMs, 1, true);
  if (timeoutMs !== undefined) fromEnv.timeoutMs = timeoutMs;
  const retries = integer(env, ENV.retry, 0);
  if (retries !== undefined) fromEnv.retry = { retries };
  const concurrency = integer(env, ENV.concurrency, 1);
  if (concurrency !== undefined) fromEnv.concurrency = concurrency;
  const chunkSize = integer(env, ENV.chunkSize, 1);
  if (chunkSize !== undefined) fromEnv.chunkSize = chunkSize;
  const options = { ...fromEnv, ...given } as ClientOptions;
  // BATCH_RETRIES sets one field of `retry`: an override's other fields join it, not erase it.
  // Its undefined fields are no answer either: `{ retries: undefined }` keeps BATCH_RETRIES.
  if (fromEnv.retry && given.retry) options.retry = { ...fromEnv.retry, ...defined(given.retry) };
  return options;
}

/**
 * `createClient(clientOptionsFromEnv(env, overrides))`. A value `createClient` refuses is
 * blamed on the variable it came from (e.g. `BATCH_BASE_URL: createClient: baseUrl must…`),
 * or on the override when the caller gave that option. In a browser it is refused before the
 * record is read, as `createClient` is, unless the overrides hold `dangerouslyAllowBrowser: true`.
 */
export function createClientFromEnv(
  env: EnvRecord,
  overrides: Partial<ClientOptions> = {},
): BatchClient {
  refuseInBrowser("createClientFromEnv", overrides);
  const options = clientOptionsFromEnv(env, overrides);
  try {
    return createClient(options);
  } catch (error) {
    const option = (error as BatchValidationError).option as Option | undefined;
    const fromEnv =
      error instanceof BatchValidationError &&
      option !== undefined &&
      Object.hasOwn(ENV, option) &&
      defined(overrides)[option as keyof ClientOptions] === undefined;
    if (!fromEnv) throw error;
    const variable = ENV[option];
    throw new BatchValidationError(`${variable}: ${error.message}`, { option, variable });
  }
}
