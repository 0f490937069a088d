/**
 * The request handler: Batch's two DELETE routes (hono routes them). Every call to them goes
 * through the same steps, cheapest first, so a request is refused on its headers before its
 * body is read: route and method (404), auth (401) and plan (403), a declared size over the
 * cap (413); then the bulk body, parsed as it streams in (413 past the cap); then the rate
 * limit (429), faults and latency; then the verdict on the id or the body (400), and the
 * deletion is accepted. Web APIs only: this runs unchanged on Node, Deno, workerd and in
 * browsers.
 */
import { Hono } from "hono";
import { mountAdmin } from "./admin.js";
import { restKeyMatches } from "./auth.js";
import { declaredTooLarge, idProblem, MAX_IDS_PER_CALL, tooLargeRefusal } from "./body.js";
import {
  type Core,
  type Env,
  type Handle,
  type HandleContext,
  isNetworkFault,
  networkFault,
  type RequestMeta,
} from "./context.js";
import { allowedOrigin, withCors } from "./cors.js";
import { badGatewayResponse, errorResponse, type Refusal, refusalResponse } from "./errors.js";
import type { FaultDecision } from "./faults.js";
import { readIdList } from "./id-stream.js";
import { redactPath } from "./log.js";

/** The request target (path and query) of an absolute URL string, as given. */
export function targetOf(url: string): string {
  const scheme = url.indexOf("://");
  const slash = url.indexOf("/", scheme === -1 ? 0 : scheme + 3);
  if (slash === -1) return "/";
  const hash = url.indexOf("#", slash);
  return hash === -1 ? url.slice(slash) : url.slice(slash, hash);
}

/** The path part of a request target. */
export function pathOf(target: string): string {
  const q = target.indexOf("?");
  return q === -1 ? target : target.slice(0, q);
}

function isAdminPath(path: string): boolean {
  return path === "/_emulator" || path.startsWith("/_emulator/");
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * A request that never gets an answer. Ends only when the client aborts (rejects with the
 * signal's reason) or the emulator or its server shuts down (rejects as a dropped connection).
 */
function hang(core: Core, signal?: AbortSignal, release?: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    const cleanup = () => {
      core.onClose.delete(onRelease);
      signal?.removeEventListener("abort", onAbort);
      release?.removeEventListener("abort", onRelease);
    };
    const onRelease = () => {
      cleanup();
      reject(networkFault("ECONNRESET", "the emulator closed while the request was hanging"));
    };
    const onAbort = () => {
      cleanup();
      reject(signal?.reason);
    };
    core.onClose.add(onRelease);
    signal?.addEventListener("abort", onAbort, { once: true });
    release?.addEventListener("abort", onRelease, { once: true });
    if (signal?.aborted) onAbort();
    else if (release?.aborted) onRelease();
  });
}

function faultResponse(decision: FaultDecision): Response | undefined {
  switch (decision.kind) {
    case "serverError":
      return errorResponse("SERVER_ERROR", "Internal server error (emulated): retry with backoff.");
    case "maintenance":
      return errorResponse(
        "MAINTENANCE_ERROR",
        "The API is under maintenance (emulated): retry with backoff.",
        decision.retryAfterSeconds === undefined
          ? {}
          : { headers: { "retry-after": String(decision.retryAfterSeconds) } },
      );
    case "tooManyRequests":
      return errorResponse(
        "TOO_MANY_REQUESTS",
        "Too many requests (emulated): retry after the Retry-After delay.",
        {
          headers: { "retry-after": String(decision.retryAfterSeconds ?? 1) },
        },
      );
    case "badGateway":
      return badGatewayResponse();
    default:
      return undefined;
  }
}

/** The API key segment of `/1.0/{key}/...`, decoded; auth checked (401/10) and plan (403/12). */
function authorize(core: Core, request: Request, path: string): Refusal | { apiKey: string } {
  const keySegment = path.slice(5, path.indexOf("/", 5));
  const apiKey = decodeSegment(keySegment);
  // Both checks run whatever the outcome of the first, the REST key in constant time.
  const restOk = restKeyMatches(request.headers.get("x-authorization"), core.restApiKey);
  const appOk = apiKey !== undefined && core.store.hasApp(apiKey);
  if (!restOk) {
    return {
      name: "AUTHENTICATION_INVALID",
      message: request.headers.has("x-authorization")
        ? "The REST API key in the X-Authorization header is not valid."
        : "The X-Authorization header is missing: send your company REST API key in it.",
    };
  }
  if (!appOk || apiKey === undefined) {
    return {
      name: "AUTHENTICATION_INVALID",
      message: "The API key in the URL is not a known app: use the app's Live, Dev or SDK API key.",
    };
  }
  if (core.restrictedApps.has(apiKey)) {
    return {
      name: "API_MISUSE",
      message: "This app may not use the Custom Data API (Premier and Enterprise plans only).",
    };
  }
  return { apiKey };
}

/** What the headers alone decide: auth and plan (`authorize`), then a declared size over the cap. */
function checkHeaders(core: Core, request: Request, path: string): Refusal | { apiKey: string } {
  const auth = authorize(core, request, path);
  if ("name" in auth) return auth;
  if (declaredTooLarge(request, core.maxBodyBytes)) return tooLargeRefusal(core.maxBodyBytes);
  return auth;
}

/**
 * The rate limit, then faults and latency, for an authorized call. Returns the answer that
 * replaces the route's, or undefined to go on; a `reset` throws, a `hang` never settles.
 */
async function gate(
  core: Core,
  env: HandleContext & { meta: RequestMeta },
): Promise<Response | undefined> {
  const { meta } = env;
  const limited = core.rateLimit?.take(meta.at);
  if (limited !== undefined && !limited.ok) {
    meta.rateLimited = true;
    return errorResponse(
      "TOO_MANY_REQUESTS",
      "Too many requests: the emulator's rate limit is reached, retry after the Retry-After delay.",
      { headers: { "retry-after": String(limited.retryAfterSeconds) } },
    );
  }
  const decision = core.faults.decide(meta.at);
  if (decision.latencyMs > 0) await sleep(decision.latencyMs, env.signal);
  if (decision.kind !== null) {
    meta.fault = decision.kind;
    core.stats.faults++;
  }
  if (decision.kind === "reset") {
    meta.record(null);
    throw networkFault("ECONNRESET", "other side closed (emulated connection reset)");
  }
  if (decision.kind === "hang") {
    meta.record(null);
    return hang(core, env.signal, env.release);
  }
  return faultResponse(decision);
}

function accepted(
  core: Core,
  meta: RequestMeta,
  apiKey: string,
  kind: "single" | "bulk",
  ids: readonly string[],
) {
  const token = core.store.accept(apiKey, kind, ids, core.now());
  meta.token = token;
  return new Response(`{"token":"${token}"}`, {
    status: 200,
    headers: { "content-type": "application/json; charset=utf-8" },
  });
}

function createApp(core: Core): Hono<Env> {
  const app = new Hono<Env>({
    // Route on the path exactly as received: hono's default would decode it first.
    getPath: (request, options) => {
      const env = options?.env as HandleContext | undefined;
      return pathOf(env?.rawPath ?? targetOf(request.url));
    },
  });

  app.notFound(() =>
    errorResponse(
      "ROUTE_NOT_FOUND",
      "No such route: use DELETE /1.0/{API_KEY}/data/users/{ID} or DELETE /1.0/{API_KEY}/data/users.",
    ),
  );
  app.onError((error, c) => {
    // A dropped connection or a client that left is no answer: let it through to the transport.
    if (isNetworkFault(error) || c.env.signal?.aborted) throw error;
    return errorResponse(
      "SERVER_ERROR",
      "The emulator failed to handle this request: retry with backoff.",
    );
  });

  mountAdmin(app, core);

  app.delete("/1.0/:apiKey/data/users", async (c) => {
    const request = c.req.raw;
    const meta = c.env.meta;
    const auth = checkHeaders(core, request, c.req.path);
    if ("name" in auth) return refusalResponse(auth);
    const body = await readIdList(request.body, {
      maxBytes: core.maxBodyBytes,
      maxIds: MAX_IDS_PER_CALL,
      maxIdLength: core.maxIdLength,
    }).catch((error: unknown) => {
      throw networkFault("ECONNRESET", `the request body failed: ${(error as Error)?.name}`);
    });
    if (body.kind === "too-large") return refusalResponse(tooLargeRefusal(core.maxBodyBytes));
    const gated = await gate(core, c.env);
    if (gated !== undefined) return gated;
    if (body.kind === "empty") {
      return errorResponse(
        "MISSING_PARAMETER",
        'The request body is missing: send a JSON array of user ids, such as ["user1","user2"].',
      );
    }
    if (body.kind === "refused") {
      meta.ids = body.elements;
      return refusalResponse(body.refusal);
    }
    meta.ids = body.ids.length;
    return accepted(core, meta, auth.apiKey, "bulk", body.ids);
  });

  // `/data/users/`: the single-delete route with an empty id.
  app.delete("/1.0/:apiKey/data/users/", async (c) => {
    const auth = checkHeaders(core, c.req.raw, c.req.path);
    if ("name" in auth) return refusalResponse(auth);
    const gated = await gate(core, c.env);
    if (gated !== undefined) return gated;
    return errorResponse(
      "MISSING_PARAMETER",
      "The custom user id is missing from the URL: DELETE /1.0/{API_KEY}/data/users/{ID}.",
    );
  });

  app.delete("/1.0/:apiKey/data/users/:id", async (c) => {
    const path = c.req.path;
    const auth = checkHeaders(core, c.req.raw, path);
    if ("name" in auth) return refusalResponse(auth);
    const gated = await gate(core, c.env);
    if (gated !== undefined) return gated;
    c.env.meta.ids = 1;
    const id = decodeSegment(path.slice(path.lastIndexOf("/") + 1));
    if (id === undefined) {
      return errorResponse(
        "MALFORMED_PARAMETER",
        "The user id in the URL is not valid percent-encoded UTF-8: encode it with encodeURIComponent.",
      );
    }
    const problem = idProblem(id, core.maxIdLength);
    if (problem !== undefined) {
      return errorResponse("MALFORMED_PARAMETER", `The user id in the URL ${problem}.`);
    }
    return accepted(core, c.env.meta, auth.apiKey, "single", [id]);
  });

  return app;
}

/** Builds the emulator's request handler over its state. */
export function createHandle(core: Core): Handle {
  const app = createApp(core);

  return async (request, context = {}) => {
    if (core.isClosed()) throw networkFault("ECONNREFUSED", "the emulator is closed");
    const rawPath = context.rawPath ?? targetOf(request.url);
    const method = request.method;
    const cors = core.cors;
    const origin = cors && allowedOrigin(cors, request);

    if (cors && method === "OPTIONS" && origin !== undefined) {
      return withCors(cors, origin, new Response(null, { status: 204 }), true);
    }
    const signal = context.signal ?? request.signal;
    const at = core.now();
    let recorded = false;
    const meta: RequestMeta = {
      at,
      ids: 0,
      fault: null,
      rateLimited: false,
      record: (status) => {
        if (recorded) return;
        recorded = true;
        record(core, rawPath, method, meta, status);
      },
    };
    const env = { ...context, rawPath, signal, meta };
    if (isAdminPath(pathOf(rawPath))) {
      const response = await app.fetch(request, env);
      return cors ? withCors(cors, origin, response) : response;
    }
    // Counted on arrival (a call held by latency or a hang is already a request).
    core.stats.requests++;
    core.timeline.at(at).requests++;
    let response: Response;
    try {
      response = await app.fetch(request, env);
    } catch (error) {
      meta.record(null);
      throw error;
    }
    meta.record(response.status);
    return cors ? withCors(cors, origin, response) : response;
  };
}

/** Logs a call to Batch's routes and counts it, overall and in its second. */
function record(
  core: Core,
  rawPath: string,
  method: string,
  meta: RequestMeta,
  status: number | null,
): void {
  core.log.push({
    at: meta.at,
    method,
    path: redactPath(rawPath, core.store.apiKeys),
    ids: meta.ids,
    status,
    fault: meta.fault,
    ...(meta.token === undefined ? {} : { token: meta.token }),
  });
  const { stats } = core;
  const second = core.timeline.at(meta.at);
  const key = status === null ? "none" : String(status);
  stats.statuses[key] = (stats.statuses[key] ?? 0) + 1;
  if (status === 200) {
    stats.accepted++;
    stats.idsAccepted += meta.ids;
    second.accepted++;
    second.idsAccepted += meta.ids;
    return;
  }
  stats.errors++;
  second.errors++;
  if (status === 429) second.tooManyRequests++;
  if (meta.rateLimited) {
    stats.rateLimited++;
    second.rateLimited++;
  }
}
