import { DurableObject } from "cloudflare:workers";
import { FREE_PLAN } from "./limits.js";
import { groupForSend } from "./pack.js";
import type {
  JobState,
  JobStatus,
  MessageResult,
  Page,
  RecordAnswer,
  StagedMessage,
  TokenRecord,
} from "./state.js";

/** A job never sealed (its producer died mid-upload) is deleted after this long. */
const STAGING_TTL_MS = 60 * 60 * 1000;
/** After a failed `sendBatch`, the alarm tries again after this long. */
const SEND_RETRY_MS = 5_000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS job (
  one INTEGER PRIMARY KEY CHECK (one = 1),
  id TEXT NOT NULL, state TEXT NOT NULL,
  requested INTEGER NOT NULL DEFAULT 0, messages INTEGER NOT NULL DEFAULT 0,
  enqueued INTEGER NOT NULL DEFAULT 0, settled INTEGER NOT NULL DEFAULT 0,
  confirmed INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0,
  retries INTEGER NOT NULL DEFAULT 0, duplicates INTEGER NOT NULL DEFAULT 0,
  tokens INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, finished_at INTEGER
);
CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY, body TEXT NOT NULL, bytes INTEGER NOT NULL, ids INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS outcomes (seq INTEGER PRIMARY KEY, ok INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS failed_ids (n INTEGER PRIMARY KEY, seq INTEGER NOT NULL, id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (n INTEGER PRIMARY KEY, seq INTEGER NOT NULL, app TEXT NOT NULL, token TEXT NOT NULL, ids INTEGER NOT NULL, UNIQUE (seq, app));
CREATE TABLE IF NOT EXISTS errors (name TEXT PRIMARY KEY, ids INTEGER NOT NULL);
`;

type JobRow = {
  id: string;
  state: JobState;
  requested: number;
  messages: number;
  enqueued: number;
  settled: number;
  confirmed: number;
  failed: number;
  retries: number;
  duplicates: number;
  tokens: number;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
};

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * One bulk deletion job: a SQLite-backed Durable Object, named by the job's id. It is the
 * staging area (the producer stores every message here; nothing reaches the Queue unless the
 * whole input was valid), the outbox (its alarm sends the messages to the Queue, at most
 * `sendBatchesPerAlarm` calls per invocation), and the ledger (each message's outcome is
 * recorded once, by its position, so a message delivered twice is never counted twice).
 *
 * Bind it as `BATCH_JOBS` (class `BatchJob`, a `new_sqlite_classes` migration) with the Queue
 * producer as `BATCH_QUEUE`; subclass it to change those names or the numbers below.
 */
export class BatchJob extends DurableObject<Record<string, unknown>> {
  /** The Queue producer binding the outbox sends to. */
  protected queueBinding = "BATCH_QUEUE";
  /** `sendBatch` calls per alarm invocation: within the free plan's 50 subrequests. */
  protected sendBatchesPerAlarm = FREE_PLAN.subrequests - 10;
  /**
   * How long a finished job is kept: then its storage (failed ids are personal data, tokens)
   * is deleted. 30 days.
   */
  protected retentionMs = 30 * 24 * 60 * 60 * 1000;

  readonly #sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Record<string, unknown>) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    this.#sql.exec(SCHEMA);
  }

  #job(): JobRow | undefined {
    return this.#sql.exec<JobRow>("SELECT * FROM job").toArray()[0];
  }

  #require(...states: JobState[]): JobRow {
    const job = this.#job();
    if (!job) throw new Error("No such job (never created, discarded, or expired).");
    if (!states.includes(job.state)) {
      throw new Error(`The job is ${job.state}: this needs it ${states.join(" or ")}.`);
    }
    return job;
  }

  /** Starts a job in `staging`. */
  async create(id: string): Promise<void> {
    if (this.#job()) throw new Error("A job with this id exists already.");
    const now = Date.now();
    this.#sql.exec(
      "INSERT INTO job (one, id, state, created_at, updated_at) VALUES (1, ?, 'staging', ?, ?)",
      id,
      now,
      now,
    );
    await this.ctx.storage.setAlarm(now + STAGING_TTL_MS);
  }

  /** Stores messages (again is harmless: by position). */
  stage(messages: readonly StagedMessage[]): void {
    this.#require("staging");
    for (const { seq, body, bytes, ids } of messages) {
      this.#sql.exec(
        "INSERT OR REPLACE INTO outbox (seq, body, bytes, ids) VALUES (?, ?, ?, ?)",
        seq,
        body,
        bytes,
        ids,
      );
    }
  }

  /** Forgets the job and everything staged: nothing was sent. */
  async discard(): Promise<void> {
    await this.ctx.storage.deleteAlarm();
    await this.#forget();
  }

  /** Deletes the job's storage; the (empty) tables are back for whoever asks next. */
  async #forget(): Promise<void> {
    await this.ctx.storage.deleteAll();
    this.#sql.exec(SCHEMA);
  }

  /**
   * Closes staging once every message is stored, after checking that what is stored is what
   * the producer read; the alarm then sends the messages to the Queue.
   */
  async seal(expected: { requested: number; messages: number }): Promise<JobStatus> {
    this.#require("staging");
    if (!(this.env[this.queueBinding] as Queue | undefined)?.sendBatch) {
      throw new Error(`The Queue producer binding ${this.queueBinding} is missing.`);
    }
    const [stored] = this.#sql
      .exec<{ messages: number; ids: number | null; last: number | null }>(
        "SELECT count(*) AS messages, sum(ids) AS ids, max(seq) AS last FROM outbox",
      )
      .toArray();
    const ok =
      stored!.messages === expected.messages &&
      (stored!.ids ?? 0) === expected.requested &&
      (stored!.last ?? -1) === expected.messages - 1;
    if (!ok || expected.messages === 0) {
      throw new Error(
        `Staged ${stored!.messages} messages of ${stored!.ids ?? 0} ids; the producer read ${expected.messages} of ${expected.requested}.`,
      );
    }
    const now = Date.now();
    this.#sql.exec(
      "UPDATE job SET state = 'enqueuing', requested = ?, messages = ?, updated_at = ?",
      expected.requested,
      expected.messages,
      now,
    );
    await this.ctx.storage.setAlarm(now);
    return this.status()!;
  }

  override async alarm(): Promise<void> {
    const job = this.#job();
    if (!job) return;
    if (job.state === "done" && Date.now() < (job.finished_at ?? 0) + this.retentionMs) return;
    if (job.state === "staging") {
      // Never sealed: the upload died. Nothing was sent; forget it.
      await this.#forget();
      return;
    }
    if (job.state === "enqueuing") await this.#send();
    // Kept for `retentionMs` after it finished: now it goes.
    if (job.state === "done") await this.#forget();
  }

  /** Sends the next messages, `sendBatchesPerAlarm` calls at most; another alarm does the rest. */
  async #send(): Promise<void> {
    const queue = this.env[this.queueBinding] as Queue;
    // Read rows until the groups this invocation may send are full, not the whole outbox.
    const rows: StagedMessage[] = [];
    let bytes = 0;
    const cap = this.sendBatchesPerAlarm * 250_000;
    for (const row of this.#sql.exec<StagedMessage & Record<string, SqlStorageValue>>(
      "SELECT seq, body, bytes, ids FROM outbox ORDER BY seq",
    )) {
      rows.push(row);
      bytes += row.bytes + 100;
      if (bytes >= cap || rows.length >= this.sendBatchesPerAlarm * 100) break;
    }
    const groups = groupForSend(rows).slice(0, this.sendBatchesPerAlarm);
    for (const group of groups) {
      try {
        await queue.sendBatch(group.map(({ body }) => ({ body, contentType: "text" as const })));
      } catch (error) {
        // Sent again later: a message the Queue did take twice is counted once anyway.
        console.error(
          JSON.stringify({ event: "job.send_failed", job: this.#job()?.id, error: String(error) }),
        );
        await this.ctx.storage.setAlarm(Date.now() + SEND_RETRY_MS);
        return;
      }
      const first = group[0]!.seq;
      const last = group[group.length - 1]!.seq;
      this.#sql.exec("DELETE FROM outbox WHERE seq BETWEEN ? AND ?", first, last);
      this.#sql.exec(
        "UPDATE job SET enqueued = enqueued + ?, updated_at = ?",
        group.length,
        Date.now(),
      );
    }
    const left = this.#sql.exec<{ n: number }>("SELECT count(*) AS n FROM outbox").one().n;
    if (left > 0) {
      await this.ctx.storage.setAlarm(Date.now());
      return;
    }
    this.#sql.exec("UPDATE job SET state = 'running' WHERE state = 'enqueuing'");
    await this.#finishIfDone();
  }

  /** Marks the job done once every message has its outcome, and schedules its deletion. */
  async #finishIfDone(): Promise<void> {
    const now = Date.now();
    const done = this.#sql.exec(
      "UPDATE job SET state = 'done', finished_at = ?, updated_at = ? WHERE state = 'running' AND settled = messages",
      now,
      now,
    ).rowsWritten;
    if (done > 0) await this.ctx.storage.setAlarm(now + this.retentionMs);
  }

  /**
   * Records what consumers did with some messages. Each message's outcome counts once, the
   * first time: a later delivery of a settled message only counts as a duplicate.
   */
  async record(results: readonly MessageResult[]): Promise<RecordAnswer> {
    const job = this.#job();
    if (!job || job.state === "staging") return { known: false, settled: 0, duplicates: 0 };
    let settled = 0;
    let duplicates = 0;
    this.ctx.storage.transactionSync(() => {
      for (const result of results) {
        if (!Number.isSafeInteger(result.seq) || result.seq < 0 || result.seq >= job.messages) {
          continue;
        }
        for (const { app, token } of result.tokens) {
          const added = this.#sql.exec(
            "INSERT OR IGNORE INTO tokens (seq, app, token, ids) VALUES (?, ?, ?, ?)",
            result.seq,
            app,
            token,
            result.ids,
          ).rowsWritten;
          if (added > 0) this.#sql.exec("UPDATE job SET tokens = tokens + 1");
        }
        const known =
          this.#sql.exec("SELECT 1 FROM outcomes WHERE seq = ?", result.seq).toArray().length > 0;
        if (result.outcome === "retry") {
          if (!known) this.#sql.exec("UPDATE job SET retries = retries + 1");
          continue;
        }
        if (known) {
          duplicates++;
          this.#sql.exec("UPDATE job SET duplicates = duplicates + 1");
          continue;
        }
        const ok = result.outcome === "confirmed";
        this.#sql.exec("INSERT INTO outcomes (seq, ok) VALUES (?, ?)", result.seq, ok ? 1 : 0);
        this.#sql.exec(
          `UPDATE job SET settled = settled + 1, ${ok ? "confirmed = confirmed" : "failed = failed"} + ?`,
          result.ids,
        );
        if (!ok) {
          this.#sql.exec(
            "INSERT INTO errors (name, ids) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET ids = ids + excluded.ids",
            result.error?.name ?? "UNKNOWN",
            result.ids,
          );
          this.#sql.exec(
            "INSERT INTO failed_ids (seq, id) SELECT ?, value FROM json_each(?)",
            result.seq,
            JSON.stringify(result.failedIds ?? []),
          );
        }
        settled++;
      }
      this.#sql.exec("UPDATE job SET updated_at = ?", Date.now());
    });
    await this.#finishIfDone();
    return { known: true, settled, duplicates };
  }

  /** The job's figures, or `null` if there is no such job. Readable at any time. */
  status(): JobStatus | null {
    const job = this.#job();
    if (!job) return null;
    const errors: Record<string, number> = {};
    for (const { name, ids } of this.#sql.exec<{ name: string; ids: number }>(
      "SELECT name, ids FROM errors ORDER BY name",
    )) {
      errors[name] = ids;
    }
    return {
      id: job.id,
      state: job.state,
      requested: job.requested,
      confirmed: job.confirmed,
      failed: job.failed,
      pending: job.requested - job.confirmed - job.failed,
      messages: job.messages,
      enqueued: job.enqueued,
      settled: job.settled,
      retries: job.retries,
      duplicates: job.duplicates,
      errors,
      tokens: job.tokens,
      createdAt: iso(job.created_at),
      updatedAt: iso(job.updated_at),
      finishedAt: job.finished_at === null ? null : iso(job.finished_at),
    };
  }

  /** The ids that failed, in pages (in the order the job listed them). */
  failedIds(options: { cursor?: string | null; limit?: number } = {}): Page<string> | null {
    return this.#page(options, "SELECT n, id FROM failed_ids", (row) => row.id as string);
  }

  /** The transaction tokens Batch gave, in pages. */
  tokens(options: { cursor?: string | null; limit?: number } = {}): Page<TokenRecord> | null {
    return this.#page(options, "SELECT n, seq, app, token, ids FROM tokens", (row) => ({
      seq: row.seq as number,
      app: row.app as string,
      token: row.token as string,
      ids: row.ids as number,
    }));
  }

  #page<T>(
    { cursor, limit = 1_000 }: { cursor?: string | null; limit?: number },
    select: string,
    map: (row: Record<string, SqlStorageValue>) => T,
  ): Page<T> | null {
    if (!this.#job()) return null;
    const after = cursor ? Number(cursor) : 0;
    if (!Number.isSafeInteger(after) || after < 0) throw new RangeError("Bad cursor.");
    const size = Math.min(Math.max(1, Math.trunc(limit) || 1), 10_000);
    const rows = this.#sql
      .exec(`${select} WHERE n > ? ORDER BY n LIMIT ?`, after, size + 1)
      .toArray();
    const more = rows.length > size;
    const items = rows.slice(0, size);
    return {
      items: items.map(map),
      next: more ? String(items[items.length - 1]!.n) : null,
    };
  }
}
