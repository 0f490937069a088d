import { classify, HINTS } from "./codes.js";
import { BatchApiError } from "./errors.js";
import type { Redactor } from "./redact.js";

/**
 * Turns an answer into its token, or into the error it stands for. Error bodies are read
 * tolerantly (API.md: their shape is not documented): `error_code` as a number or a string,
 * `error_message` or `message`; an empty, HTML or non-JSON body maps from the status alone.
 */
export async function readToken(response: Response, redact: Redactor): Promise<string> {
  const { status, ok, headers } = response;
  // Read outside the try: a connection lost mid-body is a (retryable) network error, not a
  // malformed answer.
  const text = await readText(response);
  let body: Record<string, unknown> = {};
  try {
    body = Object(JSON.parse(text));
  } catch {}
  const { token } = body;
  if (ok && typeof token === "string" && token) return token;

  const kind = ok
    ? { name: "UNEXPECTED_RESPONSE", status, retryable: false }
    : classify(status, body.error_code ?? body.code);
  const said = body.error_message ?? body.message;
  const hint = ok ? "no token in a 2xx answer: is baseUrl Batch's API?" : HINTS[status];
  throw new BatchApiError(
    kind,
    `HTTP ${status}${kind.code ? `, code ${kind.code}` : ""}${
      typeof said === "string" && said ? `: ${redact(said).slice(0, 300)}` : ""
    }${hint ? ` (${hint})` : ""}`,
    parseRetryAfter(headers.get("retry-after")),
  );
}

/** `Retry-After` as seconds or as an HTTP date, in ms from `now`; undefined when absent or bad. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return;
  const ms = /^\s*\d+(\.\d+)?\s*$/.test(value) ? +value * 1000 : Date.parse(value) - now;
  return ms >= 0 ? Math.ceil(ms) : ms < 0 ? 0 : undefined;
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
