import type { BatchErrorName } from "./codes.js";
import type { AppResult, DeleteUsersReport } from "./report.js";

/** Where a failed call went, safe to print: the API key is `***` and a user id `{id}` in `url`. */
export interface BatchRequestInfo {
  /**
   * The HTTP method, upper case: always `DELETE` for the core's calls to Batch; `GET`, `POST`
   * or `DELETE` for a proxy's (`@batch-custom-data/browser`'s `BatchProxyError`).
   */
  readonly method: string;
  readonly url: string;
  /** The app the call was for: its label or index, never its key. */
  readonly app: string;
}

/** What any of our errors may carry. Each field is set only when given, so none prints empty. */
export interface BatchErrorOptions {
  /** What a caller's hook or id source threw: kept as it is, never decorated. */
  readonly cause?: unknown;
  /** The call that failed. Its method, URL and app end the message. */
  readonly request?: BatchRequestInfo;
  /** How many attempts were made (0 when nothing was sent). */
  readonly attempts?: number;
  /** What a bulk deletion did before this error: tokens, failed ids, ids not attempted. */
  readonly report?: DeleteUsersReport;
  /** With several apps, `deleteUser`'s outcome in each: their tokens are not lost. */
  readonly results?: readonly AppResult[];
}

/**
 * Every error carries the names of its class and of the classes it extends (`kind`), under a
 * registered symbol: `Symbol.for` is shared by every copy of this package (an ESM and a CJS
 * build side by side) and every realm (a vm context, an iframe), where `instanceof` sees
 * different classes. Not enumerable: it never prints. See `guards.ts`.
 */
const BRAND = Symbol.for("@batch-custom-data/core.error");

/** Whether `value` was made by the class named `kind` (or a subclass), in any copy or realm. */
export function branded(value: unknown, kind: string): boolean {
  const kinds =
    typeof value === "object" && value !== null && (value as { [BRAND]?: unknown })[BRAND];
  return Array.isArray(kinds) && kinds.includes(kind);
}

/** Sets each field that has a value, so that no error carries (or prints) empty ones. */
export function setDefined(target: object, fields: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) (target as Record<string, unknown>)[key] = value;
  }
}

/**
 * Base class of every error the client throws. Built whole by its constructor, never changed
 * after. No property, message or cause ever holds a key: what a runtime threw (a network error
 * quoting the URL) is kept only as redacted text; only a caller's own value becomes a `cause`.
 */
export class BatchError extends Error {
  static readonly kind: string = "BatchError";
  // Explicit names: class names do not survive minification.
  override name: string = "BatchError";
  /** Whether sending the same call again could succeed. */
  readonly retryable: boolean;
  /** How many attempts were made (0 when nothing was sent). */
  readonly attempts: number;
  declare readonly request?: BatchRequestInfo;
  declare readonly report?: DeleteUsersReport;
  declare readonly results?: readonly AppResult[];

  constructor(message: string, options: BatchErrorOptions = {}) {
    const { request, attempts = 0, report, results } = options;
    super(
      request
        ? `${message} [${request.method} ${request.url}, app ${request.app}, attempt ${attempts}]`
        : message,
      "cause" in options ? { cause: options.cause } : undefined,
    );
    // Only an API error's retryability is given (it follows the status); the network and
    // timeout classes fix theirs, every other error is final.
    this.retryable = (options as { retryable?: boolean }).retryable ?? false;
    this.attempts = attempts;
    setDefined(this, { request, report, results });
    // This class's `kind` and its ancestors', up to Error (which has none).
    const kinds: string[] = [];
    for (let Class = new.target as { kind?: string }; "kind" in Class; ) {
      kinds.push(Class.kind!);
      Class = Object.getPrototypeOf(Class);
    }
    Object.defineProperty(this, BRAND, { value: kinds });
  }

  /** What `JSON.stringify` prints: the public fields and the message, no stack, no cause. */
  toJSON(): object {
    return { ...this, message: this.message };
  }
}

export interface BatchApiErrorOptions extends BatchErrorOptions {
  /** Batch's error name, e.g. `AUTHENTICATION_INVALID`; `REDIRECTED`; `HTTP_<status>`. */
  readonly name: BatchErrorName;
  readonly status: number;
  readonly code?: number;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  readonly location?: string;
}

/** The API answered with an error (any non-2xx, a 2xx without a token, or a redirect). */
export class BatchApiError extends BatchError {
  static override readonly kind: string = "BatchApiError";
  /** Batch's documented error name, e.g. `AUTHENTICATION_INVALID` (a `switch` on it is checked). */
  declare name: BatchErrorName;
  /** HTTP status (0 for a redirect a browser hides). */
  readonly status: number;
  /** Batch's numeric error code, when known. */
  declare readonly code?: number;
  /** How long the server asked to wait (`Retry-After`), in ms. */
  declare readonly retryAfterMs?: number;
  /** Where a redirect pointed (origin and path; keys `***`, the id `{id}`), when shown. */
  declare readonly location?: string;

  constructor(message: string, options: BatchApiErrorOptions) {
    super(message, options);
    const { name, status, code, retryAfterMs, location } = options;
    this.name = name;
    this.status = status;
    setDefined(this, { code, retryAfterMs, location });
  }
}

/** The call got no answer: connection refused or reset, DNS, TLS. Retryable. */
export class BatchNetworkError extends BatchError {
  static override readonly kind: string = "BatchNetworkError";
  override name = "BatchNetworkError";
  override readonly retryable = true;
  /** The runtime's error code when it gave one, e.g. `ECONNREFUSED`. */
  declare readonly code?: string;

  constructor(message: string, options: BatchErrorOptions & { readonly code?: string } = {}) {
    super(message, options);
    setDefined(this, { code: options.code });
  }
}

/** One attempt took longer than `timeoutMs`. Retryable. */
export class BatchTimeoutError extends BatchError {
  static override readonly kind: string = "BatchTimeoutError";
  override name = "BatchTimeoutError";
  override readonly retryable = true;
}

/** The caller's `AbortSignal` fired. `report` says what was done before it did. */
export class BatchAbortError extends BatchError {
  static override readonly kind: string = "BatchAbortError";
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
  static override readonly kind: string = "BatchValidationError";
  override name = "BatchValidationError";
  declare readonly option?: string;
  declare readonly variable?: string;

  constructor(message: string, options: BatchErrorOptions & ValidationFault = {}) {
    super(message, options);
    setDefined(this, { option: options.option, variable: options.variable });
  }
}

/** Some ids could not be deleted: `report.failedIds` are exactly the ones to retry. */
export class BatchDeleteError extends BatchError {
  static override readonly kind: string = "BatchDeleteError";
  override name = "BatchDeleteError";
  declare readonly report: DeleteUsersReport;

  constructor(
    message: string,
    options: BatchErrorOptions & { readonly report: DeleteUsersReport },
  ) {
    super(message, options);
  }
}

/** The `deleteUsers` hooks a caller can pass. */
export type HookName = "onProgress" | "onChunk" | "skipChunk";

/** A hook the caller passed threw (or rejected): the run stopped. `cause` is what it threw. */
export class BatchHookError extends BatchError {
  static override readonly kind: string = "BatchHookError";
  override name = "BatchHookError";
  readonly hook: HookName;

  constructor(
    message: string,
    options: BatchErrorOptions & { readonly hook: HookName; readonly cause: unknown },
  ) {
    super(message, options);
    this.hook = options.hook;
  }
}

/** The id source threw (a stream's read error): the run stopped. `cause` is what it threw. */
export class BatchSourceError extends BatchError {
  static override readonly kind: string = "BatchSourceError";
  override name = "BatchSourceError";

  constructor(message: string, options: BatchErrorOptions & { readonly cause: unknown }) {
    super(message, options);
  }
}

/** A short, printable account of something a caller threw, for our messages. */
export function describeThrown(thrown: unknown): string {
  const message = (thrown as { message?: unknown } | null)?.message;
  return String(typeof message === "string" ? message : thrown).slice(0, 200);
}
