/**
 * The error answers of API.md, and how the emulator writes them:
 * `{"error_code": <number>, "error_message": "<what to fix>"}` with `application/json`.
 * Messages are fixed strings written here: they never quote a key (nor a user id).
 */

export const ERRORS = {
  AUTHENTICATION_INVALID: { status: 401, code: 10 },
  API_MISUSE: { status: 403, code: 12 },
  ROUTE_NOT_FOUND: { status: 404, code: 20 },
  MISSING_PARAMETER: { status: 400, code: 30 },
  MALFORMED_PARAMETER: { status: 400, code: 31 },
  MALFORMED_JSON_BODY: { status: 400, code: 32 },
  SERVER_ERROR: { status: 500, code: 1 },
  MAINTENANCE_ERROR: { status: 503, code: 2 },
  TOO_MANY_REQUESTS: { status: 429, code: 60 },
} as const;

export type ErrorName = keyof typeof ERRORS;

/** The error body the emulator sends, as an object. */
export interface ErrorBody {
  error_code: number;
  error_message: string;
}

/** An error answer whose status may differ from the table's (413 for an oversized body). */
export interface Refusal {
  readonly name: ErrorName;
  readonly message: string;
  readonly status?: number;
}

export const JSON_TYPE = "application/json; charset=utf-8";

export function jsonResponse(body: unknown, status = 200, headers?: Record<string, string>) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": JSON_TYPE, ...headers },
  });
}

export function errorResponse(
  name: ErrorName,
  message: string,
  options: { status?: number; headers?: Record<string, string> } = {},
): Response {
  const body: ErrorBody = { error_code: ERRORS[name].code, error_message: message };
  return jsonResponse(body, options.status ?? ERRORS[name].status, options.headers);
}

export function refusalResponse(refusal: Refusal): Response {
  return errorResponse(refusal.name, refusal.message, { status: refusal.status });
}

/** What a proxy in front of the API answers when the API is unreachable. */
export const BAD_GATEWAY_HTML =
  "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

export function badGatewayResponse(): Response {
  return new Response(BAD_GATEWAY_HTML, {
    status: 502,
    headers: { "content-type": "text/html; charset=utf-8" },
  });
}
