/**
 * `createEmulator`: the emulator's state, its request handler, and the typed API over them.
 * Every member is a closure, so `const { fetch, seed } = emulator` works unbound.
 */
import { resetAll } from "./admin.js";
import { DEFAULT_MAX_BODY_BYTES, MAX_ID_LENGTH } from "./body.js";
import {
  type Core,
  type EmulatorStats,
  emptyStats,
  HANDLE,
  type Handle,
  networkFault,
} from "./context.js";
import { type CorsOption, normalizeCors } from "./cors.js";
import { type FaultConfig, type FaultKind, Faults } from "./faults.js";
import { createHandle } from "./handler.js";
import { type RequestLogEntry, RingLog } from "./log.js";
import { normalizeRateLimit, type RateLimit, TokenBucket } from "./rate-limit.js";
import { type SeedOptions, Store, type TransactionInfo } from "./state.js";
import { Timeline, type TimelineSecond } from "./timeline.js";

export interface EmulatorOptions {
  /** The apps' API keys the emulator knows (default `["API_KEY"]`, as in API.md's examples). */
  readonly apps?: readonly string[];
  /** Same as `apps` (both lists are merged). */
  readonly apiKeys?: readonly string[];
  /** The company REST API key expected in `X-Authorization` (default `"REST_API_KEY"`). */
  readonly restApiKey?: string;
  /** Known apps whose plan lacks the Custom Data API: authenticated calls get 403 / 12. */
  readonly restrictedApps?: readonly string[];
  /** Delay before an accepted deletion is processed (default 10 ms). */
  readonly processingDelayMs?: number;
  /** Initial fault settings (also what `reset()` comes back to). */
  readonly faults?: FaultConfig;
  /** Seed of the fault generator, so a run replays (default: random). */
  readonly seed?: number;
  /** Body size cap in bytes, enforced while reading (default 64 MiB). */
  readonly maxBodyBytes?: number;
  /** Longest accepted id, in UTF-16 code units (default 1023). */
  readonly maxIdLength?: number;
  /** Request log size (a ring buffer, default 1000 entries). */
  readonly logLimit?: number;
  /** Transactions remembered for `transaction(token)` (default 100,000; oldest forgotten). */
  readonly transactionLimit?: number;
  /**
   * CORS (default false, like Batch): `true` (or `["*"]`) allows any origin; a list of origins
   * (`["http://127.0.0.1:5173"]`) allows those only, each echoed with `Vary: Origin`.
   */
  readonly cors?: CorsOption;
  /**
   * Answer 429 with `Retry-After` once calls to Batch's routes exceed this rate: calls per
   * second, or `{ callsPerSecond, burst }` (a token bucket on the `now` clock; default burst:
   * one second's worth). Default: no limit.
   */
  readonly rateLimit?: number | RateLimit;
  /** Clock for timestamps and the maintenance window (default `Date.now`). */
  readonly now?: () => number;
}

export type FetchInput = string | URL | Request;

export interface Emulator {
  /**
   * A web-standard fetch handler, also usable as a `fetch` function (`emulator.fetch(url, init)`).
   * A `reset` fault rejects with a `TypeError` as `fetch` does on a network failure; `hang`
   * never settles until the request's `signal` aborts (then rejects with its reason).
   */
  readonly fetch: (input: FetchInput, init?: RequestInit) => Promise<Response>;
  /** Known API keys. */
  readonly apiKeys: () => string[];
  readonly restApiKey: string;
  /** The body size cap in bytes (the Node server enforces it on the socket). */
  readonly maxBodyBytes: number;
  /** Gives users custom data: the ids given, or `count` ids `user-1` … `user-N`. Returns how many were new. */
  readonly seed: (
    apiKey: string,
    idsOrCount: Iterable<string> | number,
    options?: SeedOptions,
  ) => number;
  readonly hasData: (apiKey: string, id: string) => boolean;
  /** Users with data in the app (0 for an unknown key). */
  readonly count: (apiKey: string) => number;
  /** The app's user ids with data, in seeding order. */
  readonly users: (apiKey: string, options?: { offset?: number; limit?: number }) => string[];
  /** A transaction by token: pending until processed, then done. */
  readonly transaction: (token: string) => TransactionInfo | undefined;
  /** Transactions accepted and not yet processed. */
  readonly pending: () => number;
  /** Processes every pending deletion now; returns how many transactions were processed. */
  readonly flush: () => number;
  /** Resolves once every accepted deletion is processed. */
  readonly settled: () => Promise<void>;
  /** Replaces the fault settings (`{}` clears them). Throws on an invalid setting. */
  readonly setFaults: (faults: FaultConfig) => void;
  /** The fault settings in force. */
  readonly faults: () => FaultConfig & { seed: number };
  /** The next `count` requests (default 1) get `kind`. */
  readonly failNext: (kind: FaultKind, count?: number) => void;
  /** The last `logLimit` requests to Batch's routes, oldest first. */
  readonly log: () => RequestLogEntry[];
  readonly clearLog: () => void;
  readonly stats: () => EmulatorStats & { pending: number };
  /** The same counts second by second (seconds with traffic only, the last 3600), oldest first. */
  readonly timeline: () => TimelineSecond[];
  /** Back to the initial state: no users, no transactions, initial faults and seed, empty log. */
  readonly reset: () => void;
  /** Stops timers and releases hanging requests; later calls to `fetch` reject. */
  readonly close: () => void;
  readonly closed: () => boolean;
}

/**
 * The handler with transport context (raw path, socket signal, release on close), for the Node
 * server. Kept off the public type: a `Symbol.for` key, non-enumerable.
 */
export function handleOf(emulator: object): Handle | undefined {
  const handle = (emulator as { [HANDLE]?: Handle })[HANDLE];
  return typeof handle === "function" ? handle : undefined;
}

function nonNegative(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !(value >= 0))
    throw new RangeError(`${name} must be a number ≥ 0.`);
  return value;
}

export function createEmulator(options: EmulatorOptions = {}): Emulator {
  const restApiKey = options.restApiKey ?? "REST_API_KEY";
  if (typeof restApiKey !== "string" || restApiKey === "") {
    throw new TypeError("restApiKey must be a non-empty string.");
  }
  const given = [...(options.apps ?? []), ...(options.apiKeys ?? [])];
  const restricted = [...(options.restrictedApps ?? [])];
  const keys = [
    ...new Set([...(given.length + restricted.length === 0 ? ["API_KEY"] : given), ...restricted]),
  ];
  for (const key of keys) {
    if (typeof key !== "string" || key === "")
      throw new TypeError("API keys must be non-empty strings.");
  }
  const processingDelayMs = nonNegative(options.processingDelayMs, 10, "processingDelayMs");
  const maxBodyBytes = nonNegative(options.maxBodyBytes, DEFAULT_MAX_BODY_BYTES, "maxBodyBytes");
  const maxIdLength = nonNegative(options.maxIdLength, MAX_ID_LENGTH, "maxIdLength");
  const logLimit = nonNegative(options.logLimit, 1000, "logLimit");
  const transactionLimit = nonNegative(options.transactionLimit, 100_000, "transactionLimit");
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 32);
  if (!Number.isInteger(seed)) throw new TypeError("seed must be an integer.");

  let cors: Core["cors"];
  let rateLimit: Core["rateLimit"];
  const now = options.now ?? Date.now;
  try {
    cors = normalizeCors(options.cors);
  } catch (error) {
    throw new TypeError((error as Error).message);
  }
  if (options.rateLimit !== undefined) {
    rateLimit = new TokenBucket(normalizeRateLimit(options.rateLimit), now());
  }

  let closed = false;
  const core: Core = {
    store: new Store(keys, processingDelayMs, transactionLimit),
    faults: new Faults(options.faults, seed),
    log: new RingLog(logLimit),
    stats: emptyStats(),
    restApiKey,
    restrictedApps: new Set(restricted),
    maxBodyBytes,
    maxIdLength,
    cors,
    rateLimit,
    timeline: new Timeline(),
    now,
    onClose: new Set(),
    isClosed: () => closed,
    initialFaults: options.faults,
    initialSeed: seed,
  };
  const handle = createHandle(core);
  const { store } = core;

  const fetch = async (input: FetchInput, init?: RequestInit): Promise<Response> => {
    if (closed) throw networkFault("ECONNREFUSED", "the emulator is closed");
    const request =
      init === undefined && input instanceof Request ? input : new Request(input, init);
    request.signal.throwIfAborted();
    return handle(request, { signal: request.signal });
  };

  const emulator: Emulator = {
    fetch,
    apiKeys: () => store.apiKeys,
    restApiKey,
    maxBodyBytes,
    seed: (apiKey, idsOrCount, seedOptions) => store.seed(apiKey, idsOrCount, seedOptions),
    hasData: (apiKey, id) => store.hasData(apiKey, id),
    count: (apiKey) => store.count(apiKey),
    users: (apiKey, range = {}) =>
      store.users(apiKey, range.offset ?? 0, range.limit ?? Number.POSITIVE_INFINITY),
    transaction: (token) => store.transaction(token),
    pending: () => store.pending,
    flush: () => store.flush(core.now()),
    settled: () => store.settled(),
    setFaults: (faults) => core.faults.set(faults),
    faults: () => core.faults.current(),
    failNext: (kind, count = 1) => core.faults.failNext(kind, count),
    log: () => core.log.entries(),
    clearLog: () => core.log.clear(),
    stats: () => ({ ...core.stats, statuses: { ...core.stats.statuses }, pending: store.pending }),
    timeline: () => core.timeline.seconds(),
    reset: () => resetAll(core),
    close: () => {
      if (closed) return;
      closed = true;
      store.close();
      for (const release of [...core.onClose]) release();
    },
    closed: () => closed,
  };
  Object.defineProperty(emulator, HANDLE, { value: handle });
  return emulator;
}
