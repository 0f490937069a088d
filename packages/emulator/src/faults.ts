/**
 * Fault injection: which fault (if any) a request to Batch's routes gets. One pseudo-random
 * draw per request from a seeded generator, so a given seed and request sequence replays the
 * same faults. Priority: maintenance window, then "fail the next N", then the rates.
 */

export const FAULT_KINDS = [
  "serverError",
  "maintenance",
  "tooManyRequests",
  "badGateway",
  "reset",
  "hang",
] as const;

/**
 * - `serverError`: 500, error_code 1.
 * - `maintenance`: 503, error_code 2.
 * - `tooManyRequests`: 429, error_code 60, with `Retry-After` (seconds).
 * - `badGateway`: 502 with an HTML body, as a proxy sends.
 * - `reset`: the connection drops (the Node server destroys the socket; in-process `fetch`
 *   rejects with a `TypeError` like `fetch` does on a network failure).
 * - `hang`: no answer at all, until the request is aborted or the emulator/server closes.
 */
export type FaultKind = (typeof FAULT_KINDS)[number];

export type Instant = number | string | Date;

export interface FailNext {
  readonly kind: FaultKind;
  /** How many of the next requests get it (default 1). */
  readonly count?: number;
}

/** Fault settings. Rates are probabilities per request, 0 to 1, adding up to at most 1. */
export interface FaultConfig {
  readonly serverError?: number;
  readonly maintenance?: number;
  readonly tooManyRequests?: number;
  readonly badGateway?: number;
  readonly reset?: number;
  readonly hang?: number;
  /** Added to every request to Batch's routes: fixed, or uniform in `[min, max]`. */
  readonly latencyMs?: number | { readonly min: number; readonly max: number };
  /** The `Retry-After` of a 429, in seconds (default 1). */
  readonly retryAfterSeconds?: number;
  /** Every request between `start` (inclusive) and `end` (exclusive) gets 503 / 2. */
  readonly maintenanceWindow?: { readonly start: Instant; readonly end: Instant } | null;
  /** The next requests fail this way, in order, before any rate applies. */
  readonly failNext?: FailNext | readonly FailNext[];
  /** Re-seeds the generator, to replay a sequence from here. */
  readonly seed?: number;
}

/** What a request gets. */
export interface FaultDecision {
  readonly kind: FaultKind | null;
  readonly latencyMs: number;
  /** Seconds, for 429 and for a 503 from the maintenance window. */
  readonly retryAfterSeconds?: number;
}

/** mulberry32: tiny, fast, good enough to pick faults; `seed` fully determines the sequence. */
export function createRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Normalized {
  rates: [FaultKind, number][];
  latency: { min: number; max: number };
  retryAfterSeconds: number;
  window: { start: number; end: number } | null;
  queue: FaultKind[];
}

function toTime(value: Instant, what: string): number {
  const ms =
    value instanceof Date ? value.getTime() : typeof value === "string" ? Date.parse(value) : value;
  if (typeof ms !== "number" || !Number.isFinite(ms)) {
    throw new TypeError(`faults.${what} must be a Date, an ISO date string or epoch milliseconds.`);
  }
  return ms;
}

function isKind(value: unknown): value is FaultKind {
  return typeof value === "string" && (FAULT_KINDS as readonly string[]).includes(value);
}

/** Checks and normalizes a config; throws a TypeError/RangeError saying what to fix. */
export function normalizeFaults(config: FaultConfig): Normalized {
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    throw new TypeError("faults must be an object such as { serverError: 0.1 }.");
  }
  const known = new Set<string>([
    ...FAULT_KINDS,
    "latencyMs",
    "retryAfterSeconds",
    "maintenanceWindow",
    "failNext",
    "seed",
  ]);
  for (const key of Object.keys(config)) {
    if (!known.has(key))
      throw new TypeError(
        `faults.${key} is not a fault setting (known: ${[...known].join(", ")}).`,
      );
  }
  const rates: [FaultKind, number][] = [];
  let sum = 0;
  for (const kind of FAULT_KINDS) {
    const rate = config[kind];
    if (rate === undefined) continue;
    if (typeof rate !== "number" || !(rate >= 0 && rate <= 1)) {
      throw new RangeError(`faults.${kind} must be a rate between 0 and 1.`);
    }
    sum += rate;
    if (rate > 0) rates.push([kind, rate]);
  }
  if (sum > 1 + 1e-9) throw new RangeError("The fault rates add up to more than 1.");

  let latency = { min: 0, max: 0 };
  const l = config.latencyMs;
  if (typeof l === "number") latency = { min: l, max: l };
  else if (l !== undefined) latency = { min: l?.min, max: l?.max };
  if (
    !Number.isFinite(latency.min) ||
    !Number.isFinite(latency.max) ||
    latency.min < 0 ||
    latency.max < latency.min
  ) {
    throw new RangeError(
      "faults.latencyMs must be a number ≥ 0 or { min, max } with 0 ≤ min ≤ max.",
    );
  }

  const retryAfterSeconds = config.retryAfterSeconds ?? 1;
  if (!Number.isInteger(retryAfterSeconds) || retryAfterSeconds < 0) {
    throw new RangeError("faults.retryAfterSeconds must be a whole number of seconds ≥ 0.");
  }

  let window: Normalized["window"] = null;
  if (config.maintenanceWindow) {
    const start = toTime(config.maintenanceWindow.start, "maintenanceWindow.start");
    const end = toTime(config.maintenanceWindow.end, "maintenanceWindow.end");
    if (end < start) throw new RangeError("faults.maintenanceWindow.end is before its start.");
    window = { start, end };
  }

  const queue: FaultKind[] = [];
  const next = config.failNext;
  if (next !== undefined) {
    for (const item of Array.isArray(next) ? next : [next as FailNext]) {
      queue.push(...expandFailNext(item));
    }
  }

  if (config.seed !== undefined && !Number.isInteger(config.seed)) {
    throw new TypeError("faults.seed must be an integer.");
  }
  return { rates, latency, retryAfterSeconds, window, queue };
}

function expandFailNext(item: FailNext): FaultKind[] {
  if (!item || !isKind(item.kind)) {
    throw new TypeError(`failNext.kind must be one of ${FAULT_KINDS.join(", ")}.`);
  }
  const count = item.count ?? 1;
  if (!Number.isInteger(count) || count < 0 || count > 1_000_000) {
    throw new RangeError("failNext.count must be a whole number from 0 to 1,000,000.");
  }
  return new Array<FaultKind>(count).fill(item.kind);
}

/** The live fault state of one emulator. */
export class Faults {
  #config: FaultConfig = {};
  #n: Normalized = normalizeFaults({});
  #queueHead = 0;
  #rng: () => number;
  #seed: number;

  constructor(config: FaultConfig | undefined, seed: number) {
    this.#seed = seed;
    this.#rng = createRng(seed);
    this.set(config ?? {});
  }

  /** Replaces the whole configuration (the "fail next" queue included). */
  set(config: FaultConfig): void {
    const normalized = normalizeFaults(config);
    this.#config = config;
    this.#n = normalized;
    this.#queueHead = 0;
    if (config.seed !== undefined) {
      this.#seed = config.seed;
      this.#rng = createRng(config.seed);
    }
  }

  /** Queues `count` requests that fail with `kind`, after the ones already queued. */
  failNext(kind: FaultKind, count = 1): void {
    const added = expandFailNext({ kind, count });
    this.#n.queue = this.#n.queue.slice(this.#queueHead).concat(added);
    this.#queueHead = 0;
  }

  /** Back to `config` and the generator's first value for `seed`. */
  reset(config: FaultConfig | undefined, seed: number): void {
    this.#seed = seed;
    this.#rng = createRng(seed);
    this.set(config ?? {});
  }

  /** The settings in force, as plain JSON (instants as epoch ms, the queue as it stands). */
  current(): FaultConfig & { seed: number } {
    const n = this.#n;
    const out: Record<string, unknown> = {};
    for (const [kind, rate] of n.rates) out[kind] = rate;
    if (n.latency.max > 0) {
      out.latencyMs = n.latency.min === n.latency.max ? n.latency.min : { ...n.latency };
    }
    out.retryAfterSeconds = n.retryAfterSeconds;
    if (n.window) out.maintenanceWindow = { ...n.window };
    const queue = n.queue.slice(this.#queueHead);
    if (queue.length > 0) {
      const grouped: { kind: FaultKind; count: number }[] = [];
      for (const kind of queue) {
        const last = grouped[grouped.length - 1];
        if (last && last.kind === kind) last.count++;
        else grouped.push({ kind, count: 1 });
      }
      out.failNext = grouped;
    }
    out.seed = this.#seed;
    return out as unknown as FaultConfig & { seed: number };
  }

  /** The config as last given to `set` (for `reset` to come back to). */
  get config(): FaultConfig {
    return this.#config;
  }

  /** Decides the fault for one request. Consumes one draw (two with a latency range). */
  decide(now: number): FaultDecision {
    const n = this.#n;
    const roll = this.#rng();
    const latencyMs =
      n.latency.max === n.latency.min
        ? n.latency.min
        : n.latency.min + Math.floor(this.#rng() * (n.latency.max - n.latency.min + 1));
    if (n.window && now >= n.window.start && now < n.window.end) {
      return {
        kind: "maintenance",
        latencyMs,
        retryAfterSeconds: Math.max(1, Math.ceil((n.window.end - now) / 1000)),
      };
    }
    if (this.#queueHead < n.queue.length) {
      const kind = n.queue[this.#queueHead++]!;
      if (this.#queueHead === n.queue.length) {
        n.queue = [];
        this.#queueHead = 0;
      }
      return this.#decision(kind, latencyMs);
    }
    let acc = 0;
    for (const [kind, rate] of n.rates) {
      acc += rate;
      if (roll < acc) return this.#decision(kind, latencyMs);
    }
    return { kind: null, latencyMs };
  }

  #decision(kind: FaultKind, latencyMs: number): FaultDecision {
    return kind === "tooManyRequests"
      ? { kind, latencyMs, retryAfterSeconds: this.#n.retryAfterSeconds }
      : { kind, latencyMs };
  }
}
