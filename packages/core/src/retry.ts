/** How failed attempts are retried. Only retryable errors are (see the error table). */
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

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const done = () => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    };
    const timer = setTimeout(done, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
