import type { ErrorKind } from "./codes.js";
import type { AppResult, DeleteUsersReport } from "./report.js";

/** Where a failed call went, safe to print: the API key is `***` in `url`. */
export interface RequestInfo {
  readonly method: string;
  readonly url: string;
  /** The app the call was for: its label or index, never its key. */
  readonly app: string;
}

/**
 * Base class of every error the client throws. No property, message or cause ever holds a
 * key: nothing foreign (a runtime's network error quoting the URL) is kept, only its
 * redacted text.
 */
export class BatchError extends Error {
  // Explicit names: class names do not survive minification.
  override name = "BatchError";
  /** Whether sending the same call again could succeed. */
  retryable = false;
  /** How many attempts were made (0 when nothing was sent). */
  attempts = 0;
  // `declare`d fields are set only when they apply, so no error carries empty ones.
  declare request?: RequestInfo;
  /** What a bulk deletion did before this error: tokens, failed ids, ids not attempted. */
  declare report?: DeleteUsersReport;
  /** With several apps, `deleteUser`'s outcome in each: their tokens are not lost. */
  declare results?: AppResult[];

  /** What `JSON.stringify` prints: the public fields and the message, no stack. */
  toJSON(): object {
    return { ...this, message: this.message };
  }
}

/** The API answered with an error (any non-2xx, or a 2xx without a token). */
export class BatchApiError extends BatchError {
  /** HTTP status. */
  declare status: number;
  /** Batch's numeric error code, when known. */
  declare code?: number;
  /** How long the server asked to wait (`Retry-After`), in ms. */
  declare retryAfterMs?: number;

  /** `name` is Batch's documented error name, e.g. `AUTHENTICATION_INVALID`. */
  constructor(kind: ErrorKind, message: string, retryAfterMs?: number) {
    super(message);
    Object.assign(this, kind, { retryAfterMs });
  }
}

/** The call got no answer: connection refused or reset, DNS, TLS. Retryable. */
export class BatchNetworkError extends BatchError {
  override name = "BatchNetworkError";
  override retryable = true;
  /** The runtime's error code when it gave one, e.g. `ECONNREFUSED`. */
  declare code?: string;
}

/** One attempt took longer than `timeoutMs`. Retryable. */
export class BatchTimeoutError extends BatchError {
  override name = "BatchTimeoutError";
  override retryable = true;
}

/** The caller's `AbortSignal` fired. `report` says what was done before it did. */
export class BatchAbortError extends BatchError {
  override name = "BatchAbortError";
}

/** What a validation error blames, so callers can act on it without parsing its message. */
export interface ValidationFault {
  /** The `createClient` (or call) option at fault, e.g. `"baseUrl"`, `"retry"`. */
  readonly option?: string;
  /** The environment variable the bad value came from, e.g. `"BATCH_BASE_URL"`. */
  readonly variable?: string;
}

/** Bad input or configuration, found before anything was sent. */
export class BatchValidationError extends BatchError {
  override name = "BatchValidationError";
  declare readonly option?: string;
  declare readonly variable?: string;

  constructor(message: string, fault: ValidationFault = {}) {
    super(message);
    // Only the fields that apply, so JSON.stringify shows no empty ones.
    if (fault.option !== undefined) this.option = fault.option;
    if (fault.variable !== undefined) this.variable = fault.variable;
  }
}

/** Some ids could not be deleted: `report.failedIds` are exactly the ones to retry. */
export class BatchDeleteError extends BatchError {
  override name = "BatchDeleteError";
  declare report: DeleteUsersReport;
}
