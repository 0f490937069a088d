/** What a job's Durable Object answers and takes: plain data, so it crosses RPC as is. */

/**
 * - `staging`: the producer is storing the job's messages; nothing is on the Queue yet (a job
 *   never sealed is deleted after an hour).
 * - `enqueuing`: sealed; its Durable Object is sending the messages to the Queue.
 * - `running`: every message is on the Queue; consumers are deleting.
 * - `done`: every message has its outcome (`confirmed + failed === requested`).
 */
export type JobState = "staging" | "enqueuing" | "running" | "done";

export interface JobStatus {
  readonly id: string;
  readonly state: JobState;
  /** Ids in the job. */
  readonly requested: number;
  /** Ids every app confirmed deleting. */
  readonly confirmed: number;
  /** Ids some app did not delete, for good: list them with `failedIds`. */
  readonly failed: number;
  /** Ids with no outcome yet. */
  readonly pending: number;
  /** Queue messages in the job, sent so far, and with their outcome. */
  readonly messages: number;
  readonly enqueued: number;
  readonly settled: number;
  /** Deliveries that were retried through the Queue (a fault, a rate limit, a deferral). */
  readonly retries: number;
  /** Deliveries of a message that had its outcome already: ignored, never counted twice. */
  readonly duplicates: number;
  /** Failed ids by the reason they failed (Batch's error name, e.g. `MALFORMED_PARAMETER`). */
  readonly errors: Readonly<Record<string, number>>;
  /** Transaction tokens received (one per message and app): list them with `tokens`. */
  readonly tokens: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly finishedAt: string | null;
}

/** A message's outcome in one delivery, as a consumer reports it. */
export interface MessageResult {
  readonly seq: number;
  /** How many ids the message holds. */
  readonly ids: number;
  /** `retry`: it goes back to the Queue (no outcome yet); the others are final. */
  readonly outcome: "confirmed" | "failed" | "retry";
  /** The tokens of the apps that confirmed, in this delivery. */
  readonly tokens: readonly { readonly app: string; readonly token: string }[];
  /** For `failed`: the message's ids (all of them: one bulk call fails or succeeds whole). */
  readonly failedIds?: readonly string[];
  /** For `failed`: why (Batch's error name, or ours). */
  readonly error?: { readonly name: string; readonly status?: number };
}

export interface RecordAnswer {
  /** False when no such job exists (never created, discarded, or expired). */
  readonly known: boolean;
  /** Results that settled a message now. */
  readonly settled: number;
  /** Results for a message already settled: ignored. */
  readonly duplicates: number;
}

export interface Page<T> {
  readonly items: T[];
  /** Pass as `cursor` for the next page; `null` on the last one. */
  readonly next: string | null;
}

export interface TokenRecord {
  readonly seq: number;
  readonly app: string;
  readonly token: string;
  readonly ids: number;
}

/** A message as the producer stages it. */
export interface StagedMessage {
  readonly seq: number;
  readonly body: string;
  readonly bytes: number;
  readonly ids: number;
}
