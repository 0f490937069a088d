import {
  BatchAbortError,
  BatchApiError,
  type BatchErrorName,
  BatchNetworkError,
  type BatchRequestInfo,
  BatchTimeoutError,
  ERROR_KINDS,
  type ErrorKind,
  guardOf,
  isBatchError,
  isBrowserRuntime,
} from "@batch-custom-data/core";
import { isHTTPError, isTimeoutError } from "ky";

/** Statuses worth sending an idempotent call again for: the proxy's "try later" answers. */
export const RETRY_STATUSES: readonly number[] = [408, 429, 503, 504];

/** What the proxy answers on an error (apps/worker-proxy, `errors.ts`). */
export interface ProxyErrorBody {
  readonly code: string;
  readonly message: string;
  /** INVALID_IDS: the 1-based line of the body at fault. */
  readonly line?: number;
  /** UPSTREAM_*: the error Batch answered the proxy with (`API_MISUSE`, `NetworkError`, …). */
  readonly upstream?: string;
}

export interface ProxyErrorInit {
  readonly status: number;
  /** Overrides the name the status stands for (`UNEXPECTED_RESPONSE`, `REDIRECTED`). */
  readonly name?: BatchErrorName;
  /** Where the call went (method GET, POST or DELETE): the proxy's URL holds no key, no token. */
  readonly request: BatchRequestInfo;
  readonly attempts: number;
  readonly body?: ProxyErrorBody;
  readonly retryAfterMs?: number;
  /** Tokens Batch gave before the failure (some apps deleted): kept for support. */
  readonly tokens?: readonly { app: string; token: string }[];
}

/**
 * The proxy answered an error. A `BatchApiError` like the core's: `name` is Batch's error name
 * when the proxy relays one (`upstream`), else the one the HTTP status stands for (401
 * `AUTHENTICATION_INVALID`, 400 `MALFORMED_PARAMETER`, 503 `MAINTENANCE_ERROR`, …);
 * `proxyCode` is the proxy's own code, the one to branch on.
 */
export class BatchProxyError extends BatchApiError {
  static override readonly kind: string = "BatchProxyError";
  /** `UNAUTHORIZED`, `INVALID_IDS`, `JOB_NOT_FOUND`, … (absent when the answer was not the proxy's). */
  declare readonly proxyCode?: string;
  /** INVALID_IDS: the line of the uploaded ids at fault. */
  declare readonly line?: number;
  /** UPSTREAM_*: what Batch answered the proxy. */
  declare readonly upstream?: string;
  declare readonly tokens?: readonly { app: string; token: string }[];

  constructor(message: string, init: ProxyErrorInit) {
    const { name, status, code, retryable } = kindOf(init.status, init.body?.upstream);
    super(message, {
      name: init.name ?? name,
      status,
      code,
      retryable,
      retryAfterMs: init.retryAfterMs,
      attempts: init.attempts,
      request: init.request,
    });
    const { body, tokens } = init;
    // Only the fields that apply, so JSON.stringify shows no empty ones.
    if (body?.code) this.proxyCode = body.code;
    if (typeof body?.line === "number") this.line = body.line;
    if (body?.upstream) this.upstream = body.upstream;
    if (tokens?.length) this.tokens = tokens;
  }
}

/**
 * Whether `value` is a `BatchProxyError`, from this copy of the package or another (an ESM and
 * a CJS build side by side), or another realm: the core's guard factory, which reads the brand
 * every error carries.
 */
export const isBatchProxyError = /* @__PURE__ */ guardOf(BatchProxyError);

/** Batch's name for what the proxy relays, else the status's; retryable as RETRY_STATUSES say. */
function kindOf(status: number, upstream?: string): ErrorKind {
  const known =
    ERROR_KINDS.find((k) => k.name === upstream) ??
    ERROR_KINDS.find((k) => k.status === (status > 504 ? 500 : status));
  return {
    name: known?.name ?? `HTTP_${status}`,
    status,
    code: known?.code,
    retryable: RETRY_STATUSES.includes(status),
  };
}

/** Replaces what must never show (the bearer token, anything shaped like a JWT) with `***`. */
export type Redactor = (text: string) => string;

export function createRedactor(secrets: () => readonly string[]): Redactor {
  const jwt = /eyJ[\w-]*\.[\w-]+\.[\w-]*/g;
  return (text) => {
    let out = text.replace(jwt, "***");
    for (const secret of secrets()) if (secret) out = out.split(secret).join("***");
    return out;
  };
}

export interface CallContext {
  readonly request: BatchRequestInfo;
  readonly attempts: number;
  readonly signal?: AbortSignal;
  readonly timeoutMs: number | false;
  readonly redact: Redactor;
  /** The fetch to probe the proxy with when a call gets no answer. */
  readonly fetch: typeof fetch;
}

/** What every error of a call carries: the call (its method and URL end the message). */
const about = ({ request, attempts }: CallContext) => ({ request, attempts });

/**
 * What went wrong with a call to the proxy, as one of the core's errors: its answer
 * (`BatchProxyError`), no answer in time (`BatchTimeoutError`), the caller's abort
 * (`BatchAbortError`), or no answer at all (`BatchNetworkError`, saying what probably happened).
 * A `BatchError` thrown on the way (by a hook of ours) passes through.
 */
export async function toBatchError(thrown: unknown, context: CallContext): Promise<unknown> {
  const { request, signal, redact } = context;
  if (isBatchError(thrown)) return thrown;
  if (signal?.aborted) {
    return new BatchAbortError("Aborted by the caller's AbortSignal.", about(context));
  }
  if (isHTTPError(thrown)) return fromAnswer(thrown.response, context);
  if (isTimeoutError(thrown)) {
    const message = `The proxy did not answer within ${context.timeoutMs} ms: it may be overloaded or down; try again.`;
    return new BatchTimeoutError(message, about(context));
  }
  if (thrown instanceof TypeError) {
    const message = isBrowserRuntime()
      ? await diagnose(request.url, context.fetch)
      : `Network error: ${redact(thrown.message)}${causeOf(thrown, redact)}.`;
    const code = Object(Object(thrown).cause).code;
    return new BatchNetworkError(message, {
      ...about(context),
      code: typeof code === "string" ? code : undefined,
    });
  }
  return thrown; // the caller's own hook threw it: theirs to see as is
}

function causeOf(error: Error, redact: Redactor): string {
  const cause = Object(error.cause).message;
  return typeof cause === "string" && cause ? `: ${redact(cause)}` : "";
}

/** A non-2xx answer (or a redirect, never followed) as a `BatchProxyError`. */
export async function fromAnswer(
  response: Response,
  context: CallContext,
): Promise<BatchProxyError> {
  const { redact } = context;
  const status = response.status;
  if (response.type === "opaqueredirect" || (status >= 300 && status < 400)) {
    return new BatchProxyError(
      "The proxy answered with a redirect, and a deletion client never follows one: set url to the proxy's final address (https, no trailing path).",
      { status, name: "REDIRECTED", request: context.request, attempts: context.attempts },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(await response.text());
  } catch {}
  const { error, tokens } = Object(parsed) as { error?: unknown; tokens?: unknown };
  const body = isProxyError(error) ? error : undefined;
  const said = body
    ? redact(body.message).slice(0, 500)
    : `HTTP ${status}, and not the proxy's JSON error: is url the proxy's address?`;
  return new BatchProxyError(said, {
    status,
    request: context.request,
    attempts: context.attempts,
    body: body && { ...body, message: said },
    retryAfterMs: retryAfter(response.headers.get("retry-after")),
    tokens: Array.isArray(tokens) ? tokens : undefined,
  });
}

/** A 2xx answer that is not JSON: something else than the proxy answers at `url`. */
export function unexpectedAnswer(status: number, context: CallContext): BatchProxyError {
  return new BatchProxyError(
    `HTTP ${status} with a body that is not JSON: is url the proxy's address?`,
    { status, name: "UNEXPECTED_RESPONSE", request: context.request, attempts: context.attempts },
  );
}

function isProxyError(value: unknown): value is ProxyErrorBody {
  const { code, message } = Object(value);
  return typeof code === "string" && typeof message === "string";
}

/** `Retry-After` (seconds or an HTTP date) in ms from now. */
export function retryAfter(value: string | null): number | undefined {
  if (!value) return;
  const ms = /^\s*\d+\s*$/.test(value) ? Number(value) * 1000 : Date.parse(value) - Date.now();
  return Number.isFinite(ms) ? Math.max(0, Math.ceil(ms)) : undefined;
}

/**
 * Why a call from a page got no answer. A browser gives the same `TypeError` ("Failed to
 * fetch") for a proxy that is down and for one whose CORS settings refuse the page, on
 * purpose; but a `no-cors` request (which the page cannot read, and which needs no CORS)
 * still succeeds when the proxy is up. So: offline, mixed content, refused by CORS, or not
 * reachable.
 */
async function diagnose(url: string, fetchFn: typeof fetch): Promise<string> {
  const target = new URL(url);
  if (globalThis.navigator?.onLine === false) {
    return "The browser is offline: check the network connection, then try again.";
  }
  const page = globalThis.location;
  if (page?.protocol === "https:" && target.protocol === "http:" && !isLoopback(target.hostname)) {
    return `This page is served over https, and the browser blocks its calls to the http address ${target.origin} (mixed content): serve the proxy over https.`;
  }
  let reachable = false;
  try {
    await fetchFn.call(undefined, target.origin, {
      mode: "no-cors",
      credentials: "omit",
      cache: "no-store",
      signal: AbortSignal.timeout(5_000),
    });
    reachable = true;
  } catch {}
  if (reachable) {
    const origin = page?.origin ?? "this page's origin";
    return `The proxy at ${target.origin} is up, but the browser refused to let this page read its answer: the proxy's CORS settings do not allow this page's origin (${origin}). Add ${origin} to the proxy's allowed origins (ALLOWED_ORIGINS).`;
  }
  return `The proxy at ${target.origin} could not be reached: it may be down or restarting, its address may be wrong, or a firewall, VPN or browser extension blocked the call. Try again in a moment; if it persists, tell whoever runs the proxy.`;
}

function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || /^127\./.test(hostname);
}
