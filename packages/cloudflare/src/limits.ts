/**
 * Cloudflare's limits that the job path is sized against, and the defaults derived from them.
 * The arithmetic is in the README ("Budgets"); every number here is used by code, not only
 * documented.
 */
export const QUEUE_LIMITS = {
  /** One message, metadata included (Cloudflare counts 128 KB as 128,000 bytes, as Miniflare does). */
  messageBytes: 128_000,
  /** What Cloudflare says a message's metadata takes out of those bytes, about. */
  metadataBytes: 100,
  /** One `sendBatch`: its messages' bytes (metadata included) added up. */
  batchBytes: 256_000,
  /** One `sendBatch`, and one consumer batch. */
  batchMessages: 100,
  /** `retry({ delaySeconds })` and `max_retries`. */
  maxDelaySeconds: 86_400,
  maxRetries: 100,
} as const;

/** A Worker invocation on the free plan (the paid plan allows 10,000 subrequests). */
export const FREE_PLAN = { subrequests: 50, connections: 6 } as const;

/**
 * A message's body, at most: two fit in one `sendBatch` with their metadata and a margin
 * (2 × (124,000 + 100) = 248,200 ≤ 250,000 < 256,000), and each is 3,900 bytes under the
 * message limit. Bigger messages mean fewer calls per id (one bulk call per message and app).
 */
export const DEFAULT_MESSAGE_BYTES = 124_000;
/** What a `sendBatch` is filled to, metadata included: 6,000 bytes under the limit. */
export const DEFAULT_BATCH_BYTES = 250_000;
/** One bulk call per message and app: Batch takes at most 10,000 ids a call. */
export const DEFAULT_IDS_PER_MESSAGE = 10_000;
