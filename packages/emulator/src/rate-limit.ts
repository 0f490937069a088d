/**
 * A token bucket over calls per second, for an emulator that answers 429 above a set rate
 * (as an API under a rate limit does). It reads time only from the clock it is given, so a
 * test clock makes it exact: `burst` calls at once, then one every `1 / callsPerSecond` s.
 */

export interface RateLimit {
  /** Calls per second allowed in the long run (> 0; 0.5 is one call every 2 s). */
  readonly callsPerSecond: number;
  /** Calls allowed at once after a quiet spell (default: one second's worth, at least 1). */
  readonly burst?: number;
}

export type RateLimitDecision =
  | { readonly ok: true }
  | { readonly ok: false; readonly retryAfterSeconds: number };

/** `RateLimit` (or a bare calls-per-second number), checked; throws a RangeError naming the fault. */
export function normalizeRateLimit(value: number | RateLimit): Required<RateLimit> {
  const limit = typeof value === "number" ? { callsPerSecond: value } : value;
  const rate = limit?.callsPerSecond;
  if (typeof rate !== "number" || !Number.isFinite(rate) || rate <= 0) {
    throw new RangeError("rateLimit.callsPerSecond must be a number > 0, e.g. 50.");
  }
  const burst = limit.burst ?? Math.max(1, Math.ceil(rate));
  if (typeof burst !== "number" || !Number.isInteger(burst) || burst < 1) {
    throw new RangeError("rateLimit.burst must be a whole number ≥ 1.");
  }
  return { callsPerSecond: rate, burst };
}

export class TokenBucket {
  readonly limit: Required<RateLimit>;
  #tokens: number;
  #last: number;

  constructor(limit: Required<RateLimit>, now: number) {
    this.limit = limit;
    this.#tokens = limit.burst;
    this.#last = now;
  }

  /** Takes a token for a call at `now`, or says how long until one is there (whole seconds, ≥ 1). */
  take(now: number): RateLimitDecision {
    const { callsPerSecond, burst } = this.limit;
    if (now > this.#last) {
      this.#tokens = Math.min(burst, this.#tokens + ((now - this.#last) / 1000) * callsPerSecond);
      this.#last = now;
    }
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return { ok: true };
    }
    // Retry-After counts whole seconds: round the wait for the next token up.
    return {
      ok: false,
      retryAfterSeconds: Math.max(1, Math.ceil((1 - this.#tokens) / callsPerSecond)),
    };
  }

  /** Full again, as at the start. */
  reset(now: number): void {
    this.#tokens = this.limit.burst;
    this.#last = now;
  }
}
