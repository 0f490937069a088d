/**
 * CORS for the emulator (Batch itself sends none): off, any origin (`true` or `"*"`), or a
 * list of origins. A listed origin is echoed in `Access-Control-Allow-Origin` with
 * `Vary: Origin`; any other origin gets no CORS header at all, so the browser refuses the
 * answer, and its preflight is routed like any OPTIONS request (404).
 */

export type CorsOption = boolean | readonly string[];

export interface Cors {
  readonly any: boolean;
  readonly origins: ReadonlySet<string>;
}

/** Checks each origin as a browser sends it (`scheme://host[:port]`); throws naming a bad one. */
export function normalizeCors(option: CorsOption | undefined): Cors | undefined {
  if (option === undefined || option === false) return undefined;
  if (option === true) return { any: true, origins: new Set() };
  if (!Array.isArray(option)) {
    throw new TypeError(
      'cors must be true, false, or a list of origins such as ["http://127.0.0.1:5173"].',
    );
  }
  const origins = new Set<string>();
  let any = false;
  for (const origin of option) {
    if (origin === "*") {
      any = true;
      continue;
    }
    let parsed: string | undefined;
    try {
      parsed = new URL(origin).origin;
    } catch {
      parsed = undefined;
    }
    if (typeof origin !== "string" || parsed !== origin || parsed === "null") {
      throw new TypeError(
        `cors: ${JSON.stringify(origin)} is not an origin as a browser sends it: write scheme://host[:port], without a path or a trailing slash${parsed && parsed !== "null" ? ` (${parsed}?)` : ""}.`,
      );
    }
    origins.add(origin);
  }
  if (!any && origins.size === 0) return undefined;
  return { any, origins };
}

const PREFLIGHT: Record<string, string> = {
  "access-control-allow-methods": "DELETE, GET, POST, PUT, OPTIONS",
  "access-control-allow-headers": "Content-Type, X-Authorization",
  "access-control-max-age": "600",
};

/** The origin to allow for `request`, or undefined when CORS does not apply to it. */
export function allowedOrigin(cors: Cors, request: Request): string | undefined {
  if (cors.any) return "*";
  const origin = request.headers.get("origin");
  return origin !== null && cors.origins.has(origin) ? origin : undefined;
}

/** Adds the CORS headers of an answer (`preflight`: of a preflight's) to `response`. */
export function withCors(
  cors: Cors,
  allowed: string | undefined,
  response: Response,
  preflight = false,
): Response {
  if (!cors.any) response.headers.append("vary", "Origin");
  if (allowed === undefined) return response;
  response.headers.set("access-control-allow-origin", allowed);
  response.headers.set("access-control-expose-headers", "Retry-After");
  if (preflight)
    for (const [name, value] of Object.entries(PREFLIGHT)) response.headers.set(name, value);
  return response;
}
