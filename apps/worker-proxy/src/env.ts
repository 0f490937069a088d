import type { BatchJob } from "@batch-custom-data/cloudflare";

/** The Worker's bindings (wrangler.jsonc) and secrets (`wrangler secret put`). */
export interface Env {
  /** One app key, `KEY1,KEY2`, or `ios=KEY1,android=KEY2`. Secret. */
  BATCH_API_KEY?: string;
  /** The company REST API key. Secret. */
  BATCH_REST_API_KEY?: string;
  /** Default https://api.batch.com/1.0; the emulator in development and tests. */
  BATCH_BASE_URL?: string;
  /** HS256 secret of end users' tokens, at least 32 bytes. Secret. */
  USER_TOKEN_SECRET?: string;
  /** Bearer token of the admin routes, at least 32 characters. Secret. */
  ADMIN_TOKEN?: string;
  /** Origins allowed to call from a browser, separated by commas (exact match). */
  ALLOWED_ORIGINS?: string;
  /** The dead-letter queue's name: its messages are counted as failed. */
  DEAD_LETTER_QUEUE?: string;
  /** Consumer tuning (README, Budgets): integers. */
  SUBREQUEST_BUDGET?: string;
  JOB_MAX_ATTEMPTS?: string;
  JOB_RETRY_BASE_SECONDS?: string;
  /** Ids per Queue message, 1 to 10,000 (default 10,000, or fewer to fit 124,000 bytes). */
  JOB_IDS_PER_MESSAGE?: string;
  BATCH_JOBS: DurableObjectNamespace<BatchJob>;
  BATCH_QUEUE: Queue;
}
