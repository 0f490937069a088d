import { BatchValidationError } from "./errors.js";
import { MAX_IDS_PER_CALL } from "./ids.js";
import { createRedactor } from "./redact.js";
import { DEFAULT_RETRY, NO_RETRY, type RetryOptions, type RetryPolicy } from "./retry.js";
import type { FetchLike, Transport } from "./send.js";

export const DEFAULT_BASE_URL = "https://api.batch.com/1.0";

export interface ClientOptions {
  /**
   * The app's Batch API key, or several (iOS and Android apps have one each): every deletion
   * goes to each app. Give an object (`{ ios: "…", android: "…" }`) to label apps in results;
   * an array's apps are labelled by index ("0", "1", …). Results never show a key.
   */
  apiKey: string | readonly string[] | Readonly<Record<string, string>>;
  /** The company REST API key, sent as `X-Authorization`. */
  restApiKey: string;
  /** Default `https://api.batch.com/1.0`; point it at the emulator or your proxy. */
  baseUrl?: string;
  /** Any fetch-compatible function. Default: the runtime's global `fetch`. */
  fetch?: FetchLike;
  /** Per attempt, in ms. Default 30,000. `Infinity` turns it off. */
  timeoutMs?: number;
  /** Retry policy for retryable failures; `false` sends every call once. */
  retry?: RetryOptions | false;
  /**
   * The most chunks in flight at once in `deleteUsers` (each goes to every app), 1 to 256.
   * Default 16.
   */
  concurrency?: number;
  /**
   * Default true: `deleteUsers` starts with 4 chunks in flight and finds the pace the server
   * takes, up to `concurrency`: more while answers come back good and fast, half as many on a
   * 429 or a 503 (the rules are in `pace.ts`). False: `concurrency` chunks in flight throughout.
   * Either way, a `Retry-After` pauses the whole run, not just the call that got it.
   */
  adaptive?: boolean;
  /** Ids per bulk call, 1 to 10,000. Default 10,000. */
  chunkSize?: number;
  /**
   * The circuit breaker of `deleteUsers`: after this many calls in a row failed with a
   * retryable error after every retry (a dead or drowning server), the run stops like a 401
   * stops it. Default 5; `Infinity` turns it off.
   */
  maxConsecutiveFailures?: number;
  /**
   * Make the client in a browser anyway (a page or a page's worker), where it is refused by
   * default: the REST key would be readable by anyone who opens the page. Only where the key is
   * safe: a test page on your own machine, against the emulator. Never in a page you ship; a
   * page calls a proxy that holds the key instead (`@batch-custom-data/browser`). Ignored
   * outside a browser; only `true` opts in.
   */
  dangerouslyAllowBrowser?: boolean;
}

/**
 * The default of `maxConsecutiveFailures`: more than one wave of the 4 calls in flight an
 * adaptive run starts with (and a 503 halves).
 */
export const DEFAULT_MAX_CONSECUTIVE_FAILURES = 5;

/** The default of `concurrency`: the ceiling an adaptive run grows to. */
export const DEFAULT_CONCURRENCY = 16;

export interface App {
  readonly label: string;
  readonly key: string;
}

/** Options checked and normalised once, so nothing downstream re-validates. */
export interface ClientConfig {
  readonly apps: readonly App[];
  readonly restApiKey: string;
  readonly baseUrl: string;
  readonly transport: Transport;
  readonly concurrency: number;
  readonly adaptive: boolean;
  readonly chunkSize: number;
  readonly maxConsecutiveFailures: number;
}

/** Throws unless `ok`; the error names the option and what to do, never a key's value. */
function check(ok: unknown, option: string, message: string): void {
  if (!ok) throw new BatchValidationError(`createClient: ${message}`, { option });
}

/**
 * A key must travel as is in a URL path and a header (which takes bytes, not Unicode): a pasted
 * space, newline or curly quote is a mistake to report now, not a network error on every call.
 */
function checkKey(key: unknown, option: string, what: string): string {
  check(
    typeof key === "string" && key,
    option,
    `${what} is missing (Batch dashboard, Settings → General).`,
  );
  check(
    /^[!-~]+$/.test(key as string),
    option,
    `${what} holds whitespace, a control or a non-ASCII character: copy it again.`,
  );
  return key as string;
}

/** Typed a number, but checked as the unknown a JavaScript caller may pass. */
export function checkCount(value: number, what: string, max: number): number {
  check(
    Number.isInteger(value) && value >= 1 && value <= max,
    what,
    `${what} must be an integer from 1 to ${max}.`,
  );
  return value;
}

/** A boolean, checked: a JavaScript caller's "false" would otherwise mean true. */
export function checkFlag(value: boolean, what: string): boolean {
  check(typeof value === "boolean", what, `${what} must be true or false.`);
  return value;
}

/** A whole number ≥ 1, or Infinity: how many failures in a row stop a run. */
export function checkThreshold(value: number, what: string): number {
  check(
    value === Number.POSITIVE_INFINITY || (Number.isInteger(value) && value >= 1),
    what,
    `${what} must be an integer ≥ 1 (Infinity turns the breaker off).`,
  );
  return value;
}

/**
 * `value` without its undefined fields, so that `{ retries: undefined }` merged over the
 * defaults keeps the default: an option left undefined is an option not given, at every level.
 */
export function defined<T extends object>(value: T | null | undefined): Partial<T> {
  return Object.fromEntries(
    Object.entries(value ?? {}).filter(([, v]) => v !== undefined),
  ) as Partial<T>;
}

export function resolveConfig(options: ClientOptions): ClientConfig {
  const { apiKey, baseUrl = DEFAULT_BASE_URL, fetch, timeoutMs = 30_000, retry } = Object(options);
  const named = apiKey && typeof apiKey === "object";
  const entries: [string, unknown][] = named ? Object.entries(apiKey) : [["0", apiKey]];
  check(entries.length, "apiKey", "apiKey lists no app key.");
  const apps = entries.map(([label, key]) => ({
    label,
    key: checkKey(key, "apiKey", named ? `apiKey "${label}"` : "apiKey"),
  }));
  check(
    new Set(apps.map((a) => a.key)).size === apps.length,
    "apiKey",
    "apiKey lists a key twice.",
  );
  const restApiKey = checkKey(options.restApiKey, "restApiKey", "restApiKey");
  const redact = createRedactor([restApiKey, ...apps.map((a) => a.key)]);

  let href = "";
  try {
    href = new URL(baseUrl).href;
  } catch {}
  // Credentials, a query or a fragment would end up in the middle of every call's URL.
  check(
    /^https?:\/\/[^@?#]*$/.test(href),
    "baseUrl",
    `baseUrl must be an http(s) URL like ${DEFAULT_BASE_URL}, without credentials, query or fragment.`,
  );
  check(
    typeof (fetch ?? globalThis.fetch) === "function",
    "fetch",
    "fetch must be a function (pass one: this runtime has none).",
  );
  check(timeoutMs > 0, "timeoutMs", "timeoutMs must be a number of ms > 0 (Infinity for none).");
  const policy: RetryPolicy = retry === false ? NO_RETRY : { ...DEFAULT_RETRY, ...defined(retry) };
  for (const [name, value] of Object.entries(policy))
    check(value >= 0, "retry", `retry.${name} must be a number ≥ 0.`);

  return {
    apps,
    restApiKey,
    baseUrl: href.replace(/\/+$/, ""),
    concurrency: checkCount(options.concurrency ?? DEFAULT_CONCURRENCY, "concurrency", 256),
    adaptive: checkFlag(options.adaptive ?? true, "adaptive"),
    chunkSize: checkCount(options.chunkSize ?? MAX_IDS_PER_CALL, "chunkSize", MAX_IDS_PER_CALL),
    maxConsecutiveFailures: checkThreshold(
      options.maxConsecutiveFailures ?? DEFAULT_MAX_CONSECUTIVE_FAILURES,
      "maxConsecutiveFailures",
    ),
    transport: {
      // Called as a plain function, never as a method: Workers and browsers throw "Illegal
      // invocation" when fetch runs with another `this`. The global is looked up per call so
      // that a test's or a polyfill's later replacement is honoured.
      fetch: fetch ?? ((input, init) => globalThis.fetch(input, init)),
      timeoutMs,
      retry: policy,
      redact,
    },
  };
}
