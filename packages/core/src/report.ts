/** Why a call failed, in a form that prints and serialises safely. */
export interface ErrorSummary {
  readonly name: string;
  readonly message: string;
  readonly status?: number;
  readonly code?: number | string;
  readonly retryable: boolean;
  readonly attempts: number;
  /** How long the server asked to wait (`Retry-After` of the last answer), in ms. */
  readonly retryAfterMs?: number;
}

/** One call that the API confirmed. */
export interface TokenRecord {
  /** The app's label (its name in an `apiKey` object) or index: never the key itself. */
  readonly app: string;
  /** The chunk's position in the input (0-based); chunk `n` holds ids `n*chunkSize ...`. */
  readonly chunk: number;
  readonly ids: number;
  readonly token: string;
}

/** One call that did not succeed, with its ids, so exactly those can be retried. */
export interface FailureRecord {
  readonly app: string;
  readonly chunk: number;
  readonly ids: readonly string[];
  /**
   * False when the call was never sent: the run stopped first (its `error` says why: `STOPPED`
   * after a graceful stop), or the chunk held an invalid id.
   */
  readonly attempted: boolean;
  readonly error: ErrorSummary;
}

export interface DeleteUsersReport {
  /** Ids read from the input. */
  requested: number;
  /** Ids every app confirmed. */
  confirmed: number;
  /** Ids some app did not confirm (failed, or not attempted). */
  failed: number;
  /** Ids in chunks that `skipChunk` said were done already. */
  skipped: number;
  /** HTTP calls that got a final answer (a success or an error); retries not counted. */
  calls: number;
  tokens: TokenRecord[];
  failures: FailureRecord[];
  /** Every id not confirmed, once each, in input order: retry exactly these. */
  failedIds: string[];
  /**
   * True when every id of the input is in the report: always for an array (after a stop, its
   * ids not read are listed, not attempted); for a stream, when it was read to its end.
   */
  complete: boolean;
  /**
   * What stopped the run, when something did before it ended (even if nothing was left to
   * send); absent when nothing did. The first reason wins, except that an abort replaces a
   * graceful stop (a stop escalated).
   */
  stoppedBy?: StoppedBy;
  durationMs: number;
}

/**
 * - `stop`: the `stopSignal` fired (a graceful stop).
 * - `abort`: the `signal` fired.
 * - `halt`: an answer every later call would get too (401, 403, 404, a redirect).
 * - `breaker`: `maxConsecutiveFailures` calls in a row failed after every retry.
 * - `source`: the id source threw, or handed over an invalid id.
 * - `hook`: `onProgress`, `onChunk` or `skipChunk` threw.
 */
export type StopReason = "stop" | "abort" | "halt" | "breaker" | "source" | "hook";

export interface StoppedBy {
  readonly reason: StopReason;
  /** The error behind it (the halting answer, the breaker's last call, ...); none for `stop`. */
  readonly error?: ErrorSummary;
}

/** `deleteUser`'s outcome in one app. */
export type AppResult = { app: string; token: string } | { app: string; error: ErrorSummary };

/** Works on any thrown value: a source may fail with an error that is not ours. */
export function summarize(error: unknown): ErrorSummary {
  const {
    name = "Error",
    message = String(error),
    status,
    code,
    retryable = false,
    attempts = 0,
    retryAfterMs,
  } = Object(error);
  const summary = { name, message, status, code, retryable, attempts };
  // Only when the server said: a report's failures print no empty field.
  return retryAfterMs === undefined ? summary : { ...summary, retryAfterMs };
}
