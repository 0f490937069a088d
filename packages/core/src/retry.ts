/**
 * When a call is sent again, all in one place: which answers are retried, how long to wait
 * (backoff, `Retry-After`), and the loop that does it. `send.ts` makes one attempt; this
 * decides whether there is another.
 */

/** How failed attempts are retried. Only retryable failures are (`isRetryableStatus`). */
export interface RetryOptions {
  /** Attempts after the first. Default 5. */
  retries?: number;
  /** First backoff ceiling, doubled each retry (full jitter picks 0..ceiling). Default 500 ms. */
  baseDelayMs?: number;
  /** Backoff ceiling. Default 30 s. */
  maxDelayMs?: number;
  /** Give up once retrying would pass this much time since the first attempt. Default 120 s. */
  maxElapsedMs?: number;
}

export type RetryPolicy = Required<RetryOptions>;

export const DEFAULT_RETRY: RetryPolicy = {
  retries: 5,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxElapsedMs: 120_000,
};

export const NO_RETRY: RetryPolicy = { ...DEFAULT_RETRY, retries: 0 };

/**
 * Which answers are worth sending again: 429 and 5xx are transient; every other answer would
 * come back the same. Network errors and timeouts are retried too (a DELETE is idempotent).
 */
export const isRetryableStatus = (status: number): boolean => status === 429 || status >= 500;

/** `Retry-After` as seconds or as an HTTP date, in ms from `now`; undefined when absent or bad. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return;
  const ms = /^\s*\d+(\.\d+)?\s*$/.test(value) ? +value * 1000 : Date.parse(value) - now;
  if (Number.isNaN(ms)) return;
  // A date already past means: now.
  return Math.max(0, Math.ceil(ms));
}

/**
 * The wait before retry number `retry` (1-based): exponential backoff with full jitter, so
 * many clients hitting one failure do not come back in lockstep. A server's `Retry-After`
 * is a floor, never shortened.
 */
export function backoffDelay(
  policy: RetryPolicy,
  retry: number,
  retryAfterMs = 0,
  random = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.max(retryAfterMs, Math.floor(random() * ceiling));
}

/**
 * Waits `ms`; ends early when `abort` fires ("abort") or `stop` does ("stop"); when both have,
 * "abort" (a bulk run's stop fires inside the caller's abort, before this hears of it). Never
 * rejects, and leaves no timer or listener behind.
 */
export function pause(
  ms: number,
  abort?: AbortSignal,
  stop?: AbortSignal,
): Promise<"slept" | "abort" | "stop"> {
  if (abort?.aborted) return Promise.resolve("abort");
  if (stop?.aborted) return Promise.resolve("stop");
  return new Promise((resolve) => {
    const end = (how: "slept" | "abort" | "stop") => {
      clearTimeout(timer);
      abort?.removeEventListener("abort", onAbort);
      stop?.removeEventListener("abort", onStop);
      resolve(abort?.aborted ? "abort" : how);
    };
    const onAbort = () => end("abort");
    const onStop = () => end("stop");
    const timer = setTimeout(end, ms, "slept");
    abort?.addEventListener("abort", onAbort);
    stop?.addEventListener("abort", onStop);
  });
}

/** What the loop needs to know of a failed attempt. */
export interface Retryable {
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
}

/** How a call ended after all its attempts. */
export type Tried<T, F> =
  | { readonly value: T; readonly attempts: number }
  | {
      readonly failure: F;
      readonly attempts: number;
      /** Retries (or time) ran out on a failure that might have passed: what the breaker counts. */
      readonly exhausted: boolean;
    };

/**
 * Attempts until one succeeds or its failure is final: not retryable, out of retries, or out
 * of time. `stop` ends it before any new attempt, with the last failure (a graceful stop sends
 * no new retry); `abort` ends it at once, with the failure `aborted()` makes. `hold` says how
 * long a retry must still wait once its own delay is over (a pause of the whole run: `pace.ts`).
 */
export async function retrying<T, F extends Retryable>(
  policy: RetryPolicy,
  attempt: () => Promise<{ value: T } | { failure: F }>,
  {
    abort,
    stop,
    aborted,
    hold,
  }: { abort?: AbortSignal; stop?: AbortSignal; aborted: () => F; hold?: () => number },
): Promise<Tried<T, F>> {
  const started = Date.now();
  for (let n = 1; ; n++) {
    if (abort?.aborted) return { failure: aborted(), attempts: n - 1, exhausted: false };
    const outcome = await attempt();
    if ("value" in outcome) return { value: outcome.value, attempts: n };
    const { failure } = outcome;
    const delay = backoffDelay(policy, n, failure.retryAfterMs);
    const spent = n > policy.retries || Date.now() - started + delay > policy.maxElapsedMs;
    if (!failure.retryable || spent) {
      return { failure, attempts: n, exhausted: failure.retryable };
    }
    let woke = stop?.aborted ? "stop" : await pause(delay, abort, stop);
    while (woke === "slept" && hold && hold() > 0) woke = await pause(hold(), abort, stop);
    if (woke === "abort") return { failure: aborted(), attempts: n, exhausted: false };
    if (woke === "stop") return { failure, attempts: n, exhausted: false };
  }
}
