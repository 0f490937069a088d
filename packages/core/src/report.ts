/** Why a call failed, in a form that prints and serialises safely. */
export interface ErrorSummary {
  readonly name: string;
  readonly message: string;
  readonly status?: number;
  readonly code?: number | string;
  readonly retryable: boolean;
  readonly attempts: number;
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
  /** False when the call was never sent (a fatal error, an abort or an invalid id came first). */
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
  /** False when reading stopped early: a stream is not read past a fatal error or an abort. */
  complete: boolean;
  durationMs: number;
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
  } = Object(error);
  return { name, message, status, code, retryable, attempts };
}
