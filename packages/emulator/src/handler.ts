/**
 * The request handler: Batch's two DELETE routes (hono routes them), preceded by the gate
 * every non-admin request goes through (oversized body, faults, latency, the request log).
 * Web APIs only: this runs unchanged on Node, Deno, workerd and in browsers.
 */
import { Hono } from "hono";
import { mountAdmin } from "./admin.js";
import { restKeyMatches } from "./auth.js";
import {
  idProblem,
  MAX_IDS_PER_CALL,
  parseJson,
  readBodyCapped,
  tooLargeRefusal,
  validateIdList,
} from "./body.js";
import {
  type Core,
  type Env,
  type Handle,
  type HandleContext,
  networkFault,
  type RequestMeta,
} from "./context.js";
import { badGatewayResponse, errorResponse, type Refusal, refusalResponse } from "./errors.js";
import type { FaultDecision } from "./faults.js";
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

const CORS_HEADERS: Record<string, string> = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "DELETE, GET, POST, PUT, OPTIONS",
  "access-control-allow-headers": "Content-Type, X-Authorization",
  "access-control-expose-headers": "Retry-After",
  "access-control-max-age": "600",
};

function withCors(response: Response): Response {
  for (const [name, value] of Object.entries(CORS_HEADERS)) response.headers.set(name, value);
  return response;
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
  app.onError(() =>
    errorResponse(
      "SERVER_ERROR",
      "The emulator failed to handle this request: retry with backoff.",
    ),
  );

  mountAdmin(app, core);

  app.delete("/1.0/:apiKey/data/users", async (c) => {
    const auth = authorize(core, c.req.raw, c.req.path);
    if ("name" in auth) return refusalResponse(auth);
    const env = c.env;
    const read =
      env.body === undefined
        ? await readBodyCapped(c.req.raw, core.maxBodyBytes)
        : env.body === "too-large"
          ? ({ kind: "too-large" } as const)
          : env.body.byteLength === 0
            ? ({ kind: "empty" } as const)
            : ({ kind: "bytes", bytes: env.body } as const);
    if (read.kind === "empty") {
      return errorResponse(
        "MISSING_PARAMETER",
        'The request body is missing: send a JSON array of user ids, such as ["user1","user2"].',
      );
    }
    if (read.kind === "too-large") return refusalResponse(tooLargeRefusal(core.maxBodyBytes));
    const json = parseJson(read.bytes);
    if (!json.ok) return refusalResponse(json.refusal);
    if (Array.isArray(json.value)) env.meta.ids = json.value.length;
    const list = validateIdList(json.value, MAX_IDS_PER_CALL, core.maxIdLength);
    if (!list.ok) return refusalResponse(list.refusal);
    return accepted(core, env.meta, auth.apiKey, "bulk", list.ids);
  });

  // `/data/users/`: the single-delete route with an empty id.
  app.delete("/1.0/:apiKey/data/users/", (c) => {
    const auth = authorize(core, c.req.raw, c.req.path);
    if ("name" in auth) return refusalResponse(auth);
    return errorResponse(
      "MISSING_PARAMETER",
      "The custom user id is missing from the URL: DELETE /1.0/{API_KEY}/data/users/{ID}.",
    );
  });

  app.delete("/1.0/:apiKey/data/users/:id", (c) => {
    const path = c.req.path;
    const auth = authorize(core, c.req.raw, path);
    if ("name" in auth) return refusalResponse(auth);
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
    const meta: RequestMeta = { ids: 0, fault: null };
    const env = { ...context, rawPath, meta };
    const method = request.method;

    if (core.cors && method === "OPTIONS") {
      return withCors(new Response(null, { status: 204 }));
    }
    if (isAdminPath(pathOf(rawPath))) {
      const response = await app.fetch(request, env);
      return core.cors ? withCors(response) : response;
    }

    const at = core.now();
    core.stats.requests++;
    const record = (status: number | null) => {
      core.log.push({
        at,
        method,
        path: redactPath(rawPath, core.store.apiKeys),
        ids: meta.ids,
        status,
        fault: meta.fault,
        ...(meta.token === undefined ? {} : { token: meta.token }),
      });
      if (status === 200) {
        core.stats.accepted++;
        core.stats.idsAccepted += meta.ids;
      } else core.stats.errors++;
    };

    let response: Response;
    if (context.body === "too-large") {
      response = refusalResponse(tooLargeRefusal(core.maxBodyBytes));
    } else {
      const decision = core.faults.decide(at);
      if (decision.latencyMs > 0) await sleep(decision.latencyMs, context.signal ?? request.signal);
      if (decision.kind !== null) {
        meta.fault = decision.kind;
        core.stats.faults++;
      }
      if (decision.kind === "reset") {
        record(null);
        throw networkFault("ECONNRESET", "other side closed (emulated connection reset)");
      }
      if (decision.kind === "hang") {
        record(null);
        return hang(core, context.signal ?? request.signal, context.release);
      }
      response = faultResponse(decision) ?? (await app.fetch(request, env));
    }
    record(response.status);
    return core.cors ? withCors(response) : response;
  };
}
