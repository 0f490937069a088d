import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/**
 * Every error answers `{"error": {"code", "message", ...}}`: `code` is one of these, stable
 * for clients to branch on; `message` says what to fix, and never holds a key, a token or a
 * secret.
 */
export type ErrorCode =
  | "UNAUTHORIZED"
  | "INVALID_USER_ID"
  | "INVALID_IDS"
  | "NO_IDS"
  | "UNSUPPORTED_MEDIA_TYPE"
  | "BAD_REQUEST"
  | "NOT_FOUND"
  | "JOB_NOT_FOUND"
  | "UPSTREAM_REJECTED"
  | "UPSTREAM_UNAVAILABLE"
  | "MISCONFIGURED"
  | "INTERNAL";

export class HttpError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
    /** More fields of `error` (e.g. `line`), or of the body (`tokens`). */
    readonly extra: { error?: Record<string, unknown>; body?: Record<string, unknown> } = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function errorResponse(c: Context, error: HttpError): Response {
  const body = {
    error: { code: error.code, message: error.message, ...error.extra.error },
    ...error.extra.body,
  };
  return c.json(body, error.status, error.headers);
}
