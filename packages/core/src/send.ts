import {
  BatchAbortError,
  BatchApiError,
  type BatchError,
  BatchNetworkError,
  type BatchRequestInfo,
  BatchTimeoutError,
} from "./errors.js";
import type { Pace } from "./pace.js";
import type { Redactor } from "./redact.js";
import type { AppResult } from "./report.js";
import type { DeleteRequest } from "./request.js";
import { type ApiFailure, readAnswer } from "./response.js";
import { type RetryPolicy, retrying } from "./retry.js";

/** Anything shaped like `fetch`: the global one, undici's, a ky instance, the emulator. */
export type FetchLike = (
  input: string,
  init: {
    method: string;
    headers: Record<string, string>;
    body?: string;
    signal: AbortSignal;
    /** The client always passes "manual": a deletion is never sent on to another address. */
    redirect?: "manual";
  },
) => PromiseLike<Response>;

/** What every call needs, fixed when the client is made. */
export interface Transport {
  readonly fetch: FetchLike;
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
  readonly redact: Redactor;
}

export const ABORTED = "Aborted by the caller's AbortSignal.";

/** Why one attempt failed: what its error is built from, once no attempt follows. */
export type Failure =
  | ApiFailure
  | {
      readonly kind: "network";
      readonly message: string;
      readonly code?: string;
      readonly retryable: true;
    }
  | { readonly kind: "timeout"; readonly message: string; readonly retryable: true }
  | { readonly kind: "abort"; readonly message: string; readonly retryable: false };

const abortFailure = (): Failure => ({ kind: "abort", message: ABORTED, retryable: false });

/** A call that did not succeed, with all it takes to build its error. */
export interface Failed {
  readonly failure: Failure;
  readonly attempts: number;
  /** Retries ran out on a failure that might have passed (the breaker counts these). */
  readonly exhausted: boolean;
  readonly request: BatchRequestInfo;
}

/** The call's error, built whole: its class, its request, its attempts (and `results`). */
export function errorOf({ failure, attempts, request }: Failed, results?: AppResult[]): BatchError {
  const context = { request, attempts, ...(results ? { results } : {}) };
  switch (failure.kind) {
    case "api": {
      const { kind, message, ...fields } = failure;
      return new BatchApiError(message, { ...fields, ...context });
    }
    case "network":
      return new BatchNetworkError(failure.message, {
        ...context,
        ...(failure.code === undefined ? {} : { code: failure.code }),
      });
    case "timeout":
      return new BatchTimeoutError(failure.message, context);
    case "abort":
      return new BatchAbortError(failure.message, context);
  }
}

/**
 * Sends one call until it succeeds, fails for good, runs out of retries or time (`retry.ts`
 * decides), or the caller aborts (`abort`: at once) or the run stops (`stop`: no new retry).
 * A bulk run's `pace` times every attempt and holds retries through its pauses.
 * Never throws: a failure comes back with what `errorOf` needs.
 */
export async function send(
  transport: Transport,
  request: DeleteRequest,
  app: string,
  { abort, stop, pace }: { abort?: AbortSignal; stop?: AbortSignal; pace?: Pace } = {},
): Promise<{ token: string } | Failed> {
  const once = () => attemptOnce(transport, request, abort);
  const tried = await retrying(transport.retry, pace ? () => pace.time(once) : once, {
    abort,
    stop,
    aborted: abortFailure,
    hold: pace?.held,
  });
  if ("value" in tried) return { token: tried.value };
  return { ...tried, request: { method: "DELETE", url: request.displayUrl, app } };
}

async function attemptOnce(
  { fetch, timeoutMs, redact }: Transport,
  request: DeleteRequest,
  abort?: AbortSignal,
): Promise<{ value: string } | { failure: Failure }> {
  const { url, headers, body, displayUrl } = request;
  // The attempt's own controller ends it on a timeout or the caller's abort. The end is raced
  // as well as passed on: a fetch that ignores `signal` still cannot hold a call past either.
  const controller = new AbortController();
  let ended: Failure | undefined;
  const end = (why: Failure) => {
    ended ??= why;
    controller.abort();
  };
  // Listening before fetch does, so the race ends this way, whatever fetch rejects with.
  const stopped = new Promise<never>((_, reject) =>
    controller.signal.addEventListener("abort", () => reject(controller.signal.reason)),
  );
  const onAbort = () => end(abortFailure());
  abort?.addEventListener("abort", onAbort);
  const timer =
    timeoutMs < 2 ** 31 && // longer overflows setTimeout into "at once": as good as none
    setTimeout(
      () =>
        end({
          kind: "timeout",
          message: `No answer within timeoutMs (${timeoutMs} ms).`,
          retryable: true,
        }),
      timeoutMs,
    );
  try {
    const answer = Promise.resolve(
      fetch(url, {
        method: "DELETE",
        headers,
        body,
        signal: controller.signal,
        redirect: "manual",
      }),
    ).then((response) => readAnswer(response, request, redact));
    // The race handles both: a late rejection, once the race is lost, is nobody's business.
    return await Promise.race([answer, stopped]);
  } catch (thrown) {
    if (ended) return { failure: ended };
    // Only the redacted text of what the runtime threw is kept: Deno's network errors quote
    // the URL, and so the API key and a single delete's id.
    const { message, cause, code } = Object(thrown);
    const text = `Network error: ${message}${cause?.message ? `: ${cause.message}` : ""}`;
    const runtimeCode = Object(cause).code ?? code;
    return {
      failure: {
        kind: "network",
        message: redact(text.replaceAll(url, displayUrl)),
        retryable: true,
        ...(runtimeCode === undefined ? {} : { code: String(runtimeCode) }),
      },
    };
  } finally {
    clearTimeout(timer as never);
    abort?.removeEventListener("abort", onAbort);
  }
}
