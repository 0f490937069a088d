import { classify, HINTS } from "./codes.js";
import type { BatchApiErrorOptions, BatchErrorOptions } from "./errors.js";
import type { Redactor } from "./redact.js";
import type { DeleteRequest } from "./request.js";
import { parseRetryAfter } from "./retry.js";

/** An error answer, before it becomes a `BatchApiError` (once the retry loop is done with it). */
export type ApiFailure = { readonly kind: "api"; readonly message: string } & Omit<
  BatchApiErrorOptions,
  keyof BatchErrorOptions
>;

/**
 * Turns an answer into its token, or into the failure it stands for. Error bodies are read
 * tolerantly (API.md: their shape is not documented): `error_code` as a number or a string,
 * `error_message` or `message`; an empty, HTML or non-JSON body maps from the status alone.
 * A redirect is never a success, whatever it carries: see `redirected`.
 */
export async function readAnswer(
  response: Response,
  request: DeleteRequest,
  redact: Redactor,
): Promise<{ value: string } | { failure: ApiFailure }> {
  const redirect = redirected(response, request, redact);
  if (redirect) {
    response.body?.cancel().catch(() => {});
    return { failure: redirect };
  }
  const { status, ok, headers } = response;
  // Read outside the try: a connection lost mid-body is a (retryable) network error, not a
  // malformed answer.
  const text = await readText(response);
  let body: Record<string, unknown> = {};
  try {
    body = Object(JSON.parse(text));
  } catch {}
  const { token } = body;
  if (ok && typeof token === "string" && token) return { value: token };

  const kind = ok
    ? { name: "UNEXPECTED_RESPONSE" as const, status, retryable: false }
    : classify(status, body.error_code ?? body.code);
  const said = body.error_message ?? body.message;
  const hint = ok ? "no token in a 2xx answer: is baseUrl Batch's API?" : HINTS[status];
  const message = `HTTP ${status}${kind.code ? `, code ${kind.code}` : ""}${
    typeof said === "string" && said ? `: ${redact(said).slice(0, 300)}` : ""
  }${hint ? ` (${hint})` : ""}`;
  const retryAfterMs = parseRetryAfter(headers.get("retry-after"));
  return {
    failure: {
      kind: "api",
      message,
      ...kind,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    },
  };
}

/**
 * A deletion is never sent on to another address (it carries the REST key and the ids), so a
 * redirect is a failure, not retried: a 3xx answer (`redirect: "manual"` in Node, Deno and
 * Workers), an opaque redirect (a browser's manual mode, which hides status and target), or
 * an answer a fetch got by following one anyway (`redirected`).
 */
function redirected(
  response: Response,
  request: DeleteRequest,
  redact: Redactor,
): ApiFailure | undefined {
  const { status, redirected: followed, type } = response;
  if (!followed && type !== "opaqueredirect" && !(status >= 300 && status < 400)) return;
  const location = whereTo(
    followed ? response.url : response.headers.get("location"),
    request,
    redact,
  );
  const where =
    location ?? (type === "opaqueredirect" ? "an address the runtime hides" : "elsewhere");
  const message = followed
    ? `The fetch function followed a redirect to ${where}: the call may have been sent there. A deletion client never follows a redirect: pass a fetch that honours redirect: "manual".`
    : `HTTP ${status}: redirected to ${where}. A deletion client never follows a redirect: check baseUrl (a wrong host, http instead of https, a proxy).`;
  return {
    kind: "api",
    message,
    name: "REDIRECTED",
    status,
    retryable: false,
    ...(location === undefined ? {} : { location }),
  };
}

/**
 * Where a redirect pointed, safe to print: origin and path, a key's segment as `***`, the
 * call's user id as `{id}`; no query or fragment (they could hold anything).
 */
function whereTo(
  target: string | null,
  request: DeleteRequest,
  redact: Redactor,
): string | undefined {
  if (!target) return;
  let url: URL;
  try {
    url = new URL(target, request.url);
  } catch {
    return;
  }
  const path = url.pathname.split("/").map((segment) => {
    let decoded = segment;
    try {
      decoded = decodeURIComponent(segment);
    } catch {}
    if (decoded === request.id) return "{id}";
    return redact(decoded) === decoded ? segment : "***";
  });
  return redact(`${url.origin}${path.join("/")}`);
}

/** An answer is a token or an error: more than this is an HTML page or worse, never read whole. */
export const MAX_ANSWER_BYTES = 1 << 20;

/**
 * The body's text, at most `max` bytes of it; the rest is cancelled, not downloaded. The status
 * alone classifies an answer that big. A fetch-like whose Response has no stream is read whole.
 */
export async function readText(response: Response, max = MAX_ANSWER_BYTES): Promise<string> {
  const body = response.body;
  if (!body) return typeof response.text === "function" ? response.text() : "";
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  for (let size = 0; ; ) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      reader.cancel().catch(() => {});
      break;
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}
