/** One kind of error answer: API.md's table, plus what a proxy or rate limiter answers. */
export interface ErrorKind {
  readonly name: string;
  readonly status: number;
  readonly code?: number;
  /** The contract: only these are ever sent again. */
  readonly retryable: boolean;
}

// "name status code", the first 400 standing for a bare 400: one string because the core's size budget is 3 kB gzipped.
const TABLE =
  "AUTHENTICATION_INVALID 401 10,API_MISUSE 403 12,ROUTE_NOT_FOUND 404 20,MALFORMED_PARAMETER 400 31,MISSING_PARAMETER 400 30,MALFORMED_JSON_BODY 400 32,SERVER_ERROR 500 1,MAINTENANCE_ERROR 503 2,TOO_MANY_REQUESTS 429 60,BAD_GATEWAY 502,GATEWAY_TIMEOUT 504";

/** 429 and 5xx are transient; every other answer would come back the same. */
const isRetryable = (status: number) => status === 429 || status >= 500;

/** Every documented and inferred error, for docs and tests. */
export const ERROR_KINDS: readonly ErrorKind[] = TABLE.split(",").map((row) => {
  const [name, status, code] = row.split(" ");
  return {
    name: name!,
    status: +status!,
    code: code ? +code : undefined,
    retryable: isRetryable(+status!),
  };
});

/** What to do about it, where the name alone does not say. */
export const HINTS: Record<number, string> = {
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
    // A bare 400 is the likeliest of the three 400s; 5xx answers share SERVER_ERROR's meaning.
    ERROR_KINDS.find((k) => k.status === (status > 504 ? 500 : status));
  return {
    name: known?.name ?? `HTTP_${status}`,
    status,
    code: known?.code ?? (Number.isInteger(code) && bodyCode ? code : undefined),
    retryable: isRetryable(status),
  };
}
