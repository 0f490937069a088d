/**
 * The client and what the run needs to know about it, from the environment (the core's rules,
 * `@batch-custom-data/core/env`) and the flags, which win. A dry run needs no key: it sends
 * nothing, so a missing one is only noted (a key that is set is still checked).
 */
import {
  type BatchClient,
  BatchValidationError,
  type ClientOptions,
  clientOptionsFromEnv,
  createClientFromEnv,
  DEFAULT_BASE_URL,
  ENV,
  type FetchLike,
  MAX_IDS_PER_CALL,
} from "@batch-custom-data/node";
import { targetHash } from "../hash.js";
import { UsageError } from "../usage.js";

export interface SettingsFlags {
  baseUrl?: string;
  concurrency?: number;
  /** false (`--no-adaptive`): `concurrency` chunks in flight throughout. */
  adaptive?: boolean;
  chunkSize?: number;
  timeout?: number;
  retries?: number;
  dryRun?: boolean;
}

export interface Settings {
  readonly client: BatchClient;
  /** The number of apps; undefined in a dry run without BATCH_API_KEY. */
  readonly apps?: number;
  readonly baseUrl: string;
  /** Ids per call. */
  readonly chunkSize: number;
  /** The chunk size the user chose (flag or variable), which a journal must match. */
  readonly chosenChunkSize?: number;
  /** What a journal is for (base URL and app keys, hashed); undefined without keys. */
  readonly target?: string;
}

/** The flag that sets each client option: a bad value is blamed on it. */
const FLAG_OF: Readonly<Record<string, string>> = {
  baseUrl: "--base-url",
  concurrency: "--concurrency",
  chunkSize: "--chunk-size",
  timeoutMs: "--timeout",
  retry: "--retries",
};

/** What a dry run's client gets as `fetch`: it has nothing to send, and must not. */
const noNetwork: FetchLike = () => {
  throw new Error("dry run: nothing may be sent");
};

/** Stands for a key a dry run does not have: never sent (the dry run's fetch sends nothing). */
const ABSENT = "dry-run-no-key";

export function configure(
  flags: SettingsFlags,
  env: Readonly<Record<string, string | undefined>>,
  transport?: FetchLike,
): Settings {
  const overrides: Partial<ClientOptions> = {
    baseUrl: flags.baseUrl,
    concurrency: flags.concurrency,
    adaptive: flags.adaptive,
    chunkSize: flags.chunkSize,
    timeoutMs: flags.timeout,
    retry: flags.retries === undefined ? undefined : { retries: flags.retries },
    fetch: flags.dryRun ? noNetwork : transport,
  };
  const unset = (variable: string) => !env[variable]?.trim();
  const keyless = flags.dryRun === true && unset(ENV.apiKey);
  if (flags.dryRun) {
    if (keyless) overrides.apiKey = ABSENT;
    if (unset(ENV.restApiKey)) overrides.restApiKey = ABSENT;
  }
  try {
    const client = createClientFromEnv(env, overrides);
    const options = clientOptionsFromEnv(env, overrides);
    const keys = keyless ? undefined : appKeys(options.apiKey);
    const baseUrl = options.baseUrl ?? DEFAULT_BASE_URL;
    return {
      client,
      apps: keys?.length,
      baseUrl,
      chunkSize: options.chunkSize ?? MAX_IDS_PER_CALL,
      chosenChunkSize: options.chunkSize,
      target: keys && targetHash(baseUrl, keys),
    };
  } catch (error) {
    if (!(error instanceof BatchValidationError)) throw error;
    // A bad value from a flag is the flag's fault, not a variable's: name the flag.
    const flag = error.variable === undefined ? FLAG_OF[error.option ?? ""] : undefined;
    const message = error.message.startsWith("createClient: ")
      ? error.message.slice("createClient: ".length)
      : error.message;
    throw new UsageError(flag ? `${flag}: ${message}` : error.message);
  }
}

function appKeys(apiKey: ClientOptions["apiKey"]): string[] {
  return typeof apiKey === "string" ? [apiKey] : Object.values(apiKey);
}
