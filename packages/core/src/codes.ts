import { isRetryableStatus } from "./retry.js";

/**
 * Every error answer the client names: API.md's table (Batch's documented errors), then what a
 * rate limiter or a proxy in front of the API answers. One row per name; a bare 400 maps to
 * the first 400 row, the likeliest of the three.
 */
export const ERROR_TABLE = [
  { name: "AUTHENTICATION_INVALID", status: 401, code: 10 },
  { name: "API_MISUSE", status: 403, code: 12 },
  { name: "ROUTE_NOT_FOUND", status: 404, code: 20 },
  { name: "MALFORMED_PARAMETER", status: 400, code: 31 },
  { name: "MISSING_PARAMETER", status: 400, code: 30 },
  { name: "MALFORMED_JSON_BODY", status: 400, code: 32 },
  { name: "SERVER_ERROR", status: 500, code: 1 },
  { name: "MAINTENANCE_ERROR", status: 503, code: 2 },
  { name: "TOO_MANY_REQUESTS", status: 429, code: 60 },
  { name: "BAD_GATEWAY", status: 502 },
  { name: "GATEWAY_TIMEOUT", status: 504 },
] as const;

/**
 * `BatchApiError.name`: a name of the table, `UNEXPECTED_RESPONSE` (a 2xx without a token),
 * `REDIRECTED` (a redirect, never followed), or `HTTP_<status>` for any other status.
 */
export type BatchErrorName =
  | (typeof ERROR_TABLE)[number]["name"]
  | "UNEXPECTED_RESPONSE"
  | "REDIRECTED"
  | `HTTP_${number}`;

/** One kind of error answer. */
export interface ErrorKind {
  readonly name: BatchErrorName;
  readonly status: number;
  readonly code?: number;
  /** Only these are ever sent again (the rule is in `retry.ts`). */
  readonly retryable: boolean;
}

/** The table with each row's retryability, for docs and tests. */
export const ERROR_KINDS: readonly ErrorKind[] = ERROR_TABLE.map((row) => ({
  ...row,
  retryable: isRetryableStatus(row.status),
}));

/** What to do about it, where the name alone does not say. */
export const HINTS: Readonly<Record<number, string>> = {
  401: "check apiKey and restApiKey",
  403: "does this key's plan include the Custom Data API?",
  404: "check baseUrl (it ends in /1.0)",
};

/**
 * Classifies an error answer. Batch's own code wins when the body names one (as a number, a
 * numeric string, or the error's name); otherwise the HTTP status decides, so an empty or
 * HTML body still maps. Retryability always follows the HTTP status.
 */
export function classify(status: number, bodyCode: unknown): ErrorKind {
  const code = Number(bodyCode);
  const known =
    ERROR_KINDS.find((k) => k.name === bodyCode || (bodyCode !== "" && k.code === code)) ??
    // 5xx answers without a row share SERVER_ERROR's meaning.
    ERROR_KINDS.find((k) => k.status === (status > 504 ? 500 : status));
  return {
    name: known?.name ?? `HTTP_${status}`,
    status,
    code: known?.code ?? (Number.isInteger(code) && bodyCode ? code : undefined),
    retryable: isRetryableStatus(status),
  };
}
