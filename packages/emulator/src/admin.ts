/**
 * The emulator's own routes, under `/_emulator/` (never part of Batch's API): health (open),
 * and, with the REST API key in `X-Authorization`: seed and inspect users, transactions,
 * flush, reset, faults and the request log.
 */
import type { Context, Hono } from "hono";
import { restKeyMatches } from "./auth.js";
import { parseJson, readBodyCapped } from "./body.js";
import { type Core, type Env, emptyStats } from "./context.js";
import { errorResponse, jsonResponse } from "./errors.js";
import { FAULT_KINDS, type FaultConfig, type FaultKind } from "./faults.js";

type Json = { ok: true; value: unknown } | { ok: false; response: Response };

async function readJson(c: Context<Env>, core: Core, required: boolean): Promise<Json> {
  const read = await readBodyCapped(c.req.raw, core.maxBodyBytes);
  if (read.kind === "too-large") {
    return {
      ok: false,
      response: errorResponse("MALFORMED_PARAMETER", "The request body is too large.", {
        status: 413,
      }),
    };
  }
  if (read.kind === "empty") {
    if (!required) return { ok: true, value: undefined };
    return {
      ok: false,
      response: errorResponse("MISSING_PARAMETER", "The request body is missing."),
    };
  }
  const json = parseJson(read.bytes);
  if (!json.ok)
    return { ok: false, response: errorResponse(json.refusal.name, json.refusal.message) };
  return { ok: true, value: json.value };
}

function decodeParam(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

/** The `{apiKey}` segment of `/_emulator/apps/{apiKey}/...`, as received, decoded once. */
function appKey(c: Context<Env>, core: Core): string | Response {
  const segment = c.req.path.split("/")[3] ?? "";
  const key = decodeParam(segment);
  if (key === undefined || !core.store.hasApp(key)) {
    return errorResponse(
      "ROUTE_NOT_FOUND",
      "Unknown app: list its API key in the emulator's `apps` option.",
    );
  }
  return key;
}

function intParam(
  c: Context<Env>,
  name: string,
  fallback: number,
  max: number,
): number | undefined {
  const raw = c.req.query(name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 0 && n <= max ? n : undefined;
}

function malformed(message: string): Response {
  return errorResponse("MALFORMED_PARAMETER", message);
}

export function mountAdmin(app: Hono<Env>, core: Core): void {
  app.get("/_emulator/health", () => jsonResponse({ ok: true }));

  app.use("/_emulator/*", async (c, next) => {
    if (!restKeyMatches(c.req.header("x-authorization") ?? null, core.restApiKey)) {
      return errorResponse(
        "AUTHENTICATION_INVALID",
        "The /_emulator/ routes need the REST API key in the X-Authorization header.",
      );
    }
    await next();
  });

  app.get("/_emulator/apps", () =>
    jsonResponse({
      apps: core.store.apiKeys.map((apiKey) => ({
        apiKey,
        users: core.store.count(apiKey),
        restricted: core.restrictedApps.has(apiKey),
      })),
    }),
  );

  app.post("/_emulator/apps/:apiKey/users", async (c) => {
    const key = appKey(c, core);
    if (typeof key !== "string") return key;
    const json = await readJson(c, core, true);
    if (!json.ok) return json.response;
    const value = json.value as Record<string, unknown> | unknown[] | null;
    try {
      let added: number;
      if (Array.isArray(value)) added = core.store.seed(key, value as string[]);
      else if (value && Array.isArray(value.ids))
        added = core.store.seed(key, value.ids as string[]);
      else if (value && typeof value.count === "number") {
        const { prefix, start } = value;
        if (
          (prefix !== undefined && typeof prefix !== "string") ||
          (start !== undefined && !Number.isInteger(start))
        ) {
          return malformed("`prefix` must be a string and `start` an integer.");
        }
        if (value.count > 10_000_000) return malformed("`count` is at most 10,000,000 per call.");
        added = core.store.seed(key, value.count, {
          ...(prefix === undefined ? {} : { prefix: prefix as string }),
          ...(start === undefined ? {} : { start: start as number }),
        });
      } else {
        return malformed(
          'Send a JSON array of ids, {"ids": [...]}, or {"count": N, "prefix"?: "user-", "start"?: 1}.',
        );
      }
      return jsonResponse({ added, users: core.store.count(key) });
    } catch (error) {
      return malformed(error instanceof Error ? error.message : "Invalid seed request.");
    }
  });

  app.get("/_emulator/apps/:apiKey/users", (c) => {
    const key = appKey(c, core);
    if (typeof key !== "string") return key;
    const offset = intParam(c, "offset", 0, Number.MAX_SAFE_INTEGER);
    const limit = intParam(c, "limit", 1000, 100_000);
    if (offset === undefined || limit === undefined) {
      return malformed("`offset` must be an integer ≥ 0 and `limit` an integer from 0 to 100,000.");
    }
    return jsonResponse({
      users: core.store.count(key),
      offset,
      ids: core.store.users(key, offset, limit),
    });
  });

  app.get("/_emulator/apps/:apiKey/users/:id", (c) => {
    const key = appKey(c, core);
    if (typeof key !== "string") return key;
    const path = c.req.path;
    const id = decodeParam(path.slice(path.lastIndexOf("/") + 1));
    if (id === undefined) return malformed("The user id is not valid percent-encoded UTF-8.");
    return jsonResponse({ hasData: core.store.hasData(key, id) });
  });

  app.get("/_emulator/transactions/:token", (c) => {
    const info = core.store.transaction(c.req.param("token"));
    if (!info)
      return errorResponse("ROUTE_NOT_FOUND", "No such transaction token (or it was forgotten).");
    return jsonResponse(info);
  });

  app.post("/_emulator/flush", () => jsonResponse({ processed: core.store.flush(core.now()) }));

  app.post("/_emulator/reset", () => {
    resetAll(core);
    return jsonResponse({ ok: true });
  });

  app.get("/_emulator/faults", () => jsonResponse(core.faults.current()));

  app.put("/_emulator/faults", async (c) => {
    const json = await readJson(c, core, true);
    if (!json.ok) return json.response;
    try {
      core.faults.set(json.value as FaultConfig);
    } catch (error) {
      return malformed(error instanceof Error ? error.message : "Invalid fault settings.");
    }
    return jsonResponse(core.faults.current());
  });

  app.delete("/_emulator/faults", () => {
    core.faults.set({});
    return jsonResponse(core.faults.current());
  });

  app.post("/_emulator/faults/next", async (c) => {
    const json = await readJson(c, core, true);
    if (!json.ok) return json.response;
    const value = json.value as { kind?: unknown; count?: unknown } | null;
    if (!value || !(FAULT_KINDS as readonly unknown[]).includes(value.kind)) {
      return malformed(`Send {"kind": one of ${FAULT_KINDS.join(", ")}, "count"?: N}.`);
    }
    try {
      core.faults.failNext(
        value.kind as FaultKind,
        value.count === undefined ? 1 : (value.count as number),
      );
    } catch (error) {
      return malformed(error instanceof Error ? error.message : "Invalid count.");
    }
    return jsonResponse(core.faults.current());
  });

  app.get("/_emulator/log", () => jsonResponse({ entries: core.log.entries() }));

  app.delete("/_emulator/log", () => {
    core.log.clear();
    return jsonResponse({ ok: true });
  });

  app.get("/_emulator/stats", () => jsonResponse({ ...core.stats, pending: core.store.pending }));

  app.get("/_emulator/timeline", () => jsonResponse({ seconds: core.timeline.seconds() }));
}

/** Back to the state right after `createEmulator`: no users, no transactions, initial faults. */
export function resetAll(core: Core): void {
  core.store.reset();
  core.faults.reset(core.initialFaults, core.initialSeed);
  core.log.clear();
  core.timeline.clear();
  core.rateLimit?.reset(core.now());
  Object.assign(core.stats, emptyStats());
}
