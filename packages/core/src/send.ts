import {
  BatchAbortError,
  BatchError,
  BatchNetworkError,
  BatchTimeoutError,
  type RequestInfo,
} from "./errors.js";
import type { Redactor } from "./redact.js";
import type { DeleteRequest } from "./request.js";
import { readToken } from "./response.js";
import { backoffDelay, type RetryPolicy, sleep } from "./retry.js";

/** Anything shaped like `fetch`: the global one, undici's, a ky instance, the emulator. */
export type FetchLike = (
  input: string,
  init: { method: string; headers: Record<string, string>; body?: string; signal: AbortSignal },
) => PromiseLike<Response>;

/** What every call needs, fixed when the client is made. */
export interface Transport {
  readonly fetch: FetchLike;
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
  readonly redact: Redactor;
}

export const abortError = () => new BatchAbortError("Aborted by the caller's AbortSignal.");

/**
 * Sends one call until it succeeds, fails for good, runs out of retries or time, or the
 * caller aborts. Every failure comes out as a `BatchError` with `attempts` and a printable
 * `request`.
 */
export async function send(
  transport: Transport,
  request: DeleteRequest,
  app: string,
  signal?: AbortSignal,
): Promise<string> {
  const { retry } = transport;
  const where: RequestInfo = { method: "DELETE", url: request.displayUrl, app };
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    let error: BatchError;
    try {
      return await attemptOnce(transport, request, signal);
    } catch (thrown) {
      error = thrown as BatchError;
    }
    Object.assign(error, { attempts: attempt, request: where });
    error.message += ` [DELETE ${where.url}, app ${app}, attempt ${attempt}]`;
    const delay = backoffDelay(retry, attempt, (error as { retryAfterMs?: number }).retryAfterMs);
    if (
      !error.retryable ||
      attempt > retry.retries ||
      Date.now() - started + delay > retry.maxElapsedMs
    ) {
      throw error;
    }
    try {
      await sleep(delay, signal);
    } catch {
      throw Object.assign(abortError(), { attempts: attempt, request: where });
    }
  }
}

async function attemptOnce(
  { fetch, timeoutMs, redact }: Transport,
  { url, headers, body }: DeleteRequest,
  signal?: AbortSignal,
): Promise<string> {
  if (signal?.aborted) throw abortError();
  // The attempt's own controller ends it, with the error it ends as (an abort or a timeout)
  // as the reason. The abort is raced as well as passed on: a fetch that ignores `signal`
  // still cannot hold a call past its timeout or past the caller's abort.
  const controller = new AbortController();
  // Listening before fetch does, so the race ends with this reason, whatever fetch rejects with.
  const stopped = new Promise<never>((_, reject) =>
    controller.signal.addEventListener("abort", () => reject(controller.signal.reason)),
  );
  const onAbort = () => controller.abort(abortError());
  signal?.addEventListener("abort", onAbort);
  const timer =
    timeoutMs < 2 ** 31 && // longer overflows setTimeout into "at once": as good as none
    setTimeout(
      () =>
        controller.abort(new BatchTimeoutError(`No answer within timeoutMs (${timeoutMs} ms).`)),
      timeoutMs,
    );
  try {
    const answer = Promise.resolve(
      fetch(url, { method: "DELETE", headers, body, signal: controller.signal }),
    ).then((response) => readToken(response, redact));
    // The race handles both: a late rejection, once the race is lost, is nobody's business.
    return await Promise.race([answer, stopped]);
  } catch (thrown) {
    if (thrown instanceof BatchError) throw thrown;
    // Only the redacted text of what the runtime threw is kept: Deno's network errors quote
    // the URL, and so the API key.
    const { message, cause, code } = Object(thrown);
    throw Object.assign(
      new BatchNetworkError(
        redact(`Network error: ${message}${cause?.message ? `: ${cause.message}` : ""}`),
      ),
      { code: Object(cause).code ?? code },
    );
  } finally {
    clearTimeout(timer as never);
    signal?.removeEventListener("abort", onAbort);
  }
}
