import {
  BatchApiError,
  BatchError,
  BatchValidationError,
  createClientFromEnv,
  IdReadError,
  invocationBudget,
  isJobId,
  jobStub,
  readIds,
  startJob,
} from "@batch-custom-data/cloudflare";
import { Hono } from "hono";
import { cors } from "hono/cors";
import { requireAdmin, secret, userOf } from "./auth.js";
import type { Env } from "./env.js";
import { errorResponse, HttpError } from "./errors.js";
import { formatOf } from "./formats.js";

type App = { Bindings: Env };

/** Retries of `DELETE /v1/me` inside its invocation: apps × 3 attempts stays within 50 up to 16 apps. */
const ME_RETRY = { retries: 2, baseDelayMs: 250, maxDelayMs: 2_000, maxElapsedMs: 10_000 };

/** A tuning variable: a positive integer, or the default. */
export function positiveInt(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

const admin = (env: Env) => secret(env.ADMIN_TOKEN, "ADMIN_TOKEN", 32);

/** `?limit=` of the paged routes: 1 to 10,000, default 1,000. */
function pageQuery(url: string): { cursor: string | null; limit: number } {
  const params = new URL(url).searchParams;
  const limit = Number(params.get("limit") ?? 1_000);
  const cursor = params.get("cursor");
  if (
    !Number.isInteger(limit) ||
    limit < 1 ||
    limit > 10_000 ||
    (cursor !== null && !/^\d+$/.test(cursor))
  ) {
    throw new HttpError(
      400,
      "BAD_REQUEST",
      "limit must be an integer from 1 to 10,000, and cursor the `next` of a previous page.",
    );
  }
  return { cursor, limit };
}

/** A job's answer, or 404 when there is no such job. */
function found<T>(value: T | null): T {
  if (value === null) throw new HttpError(404, "JOB_NOT_FOUND", "No job has this id.");
  return value;
}

function jobOf(env: Env, id: string) {
  if (!isJobId(id)) throw new HttpError(404, "JOB_NOT_FOUND", "No job has this id.");
  return jobStub(env.BATCH_JOBS, id);
}

/** What a failed call to Batch becomes: a 503 when trying later may work, else a 502. */
function upstreamError(error: BatchError): HttpError {
  const tokens = Object(error).results?.flatMap((r: { app: string; token?: string }) =>
    r.token ? [{ app: r.app, token: r.token }] : [],
  );
  const body = tokens?.length ? { tokens } : {};
  const name = error instanceof BatchApiError ? error.name : error.name.replace(/^Batch/, "");
  if (error.retryable) {
    const retryAfterMs = error instanceof BatchApiError ? error.retryAfterMs : undefined;
    return new HttpError(
      503,
      "UPSTREAM_UNAVAILABLE",
      `Batch could not be reached or is unavailable (${name}): try again later.`,
      { error: { upstream: name }, body },
      retryAfterMs ? { "Retry-After": String(Math.ceil(retryAfterMs / 1000)) } : {},
    );
  }
  return new HttpError(
    502,
    "UPSTREAM_REJECTED",
    `Batch refused the deletion (${name}): the service's configuration needs fixing.`,
    { error: { upstream: name }, body },
  );
}

export function createApp(): Hono<App> {
  const app = new Hono<App>();

  // CORS for the configured origins only (exact match); others get no CORS headers at all.
  app.use("*", (c, next) => {
    const allowed = (c.env.ALLOWED_ORIGINS ?? "")
      .split(",")
      .map((o) => o.trim())
      .filter(Boolean);
    return cors({
      origin: (origin) => (allowed.includes(origin) ? origin : null),
      allowMethods: ["GET", "POST", "DELETE", "OPTIONS"],
      allowHeaders: ["Authorization", "Content-Type"],
      exposeHeaders: ["Location", "Retry-After"],
      maxAge: 600,
    })(c, next);
  });

  app.get("/healthz", (c) => c.json({ ok: true }));

  app.delete("/v1/me", async (c) => {
    const user = await userOf(
      c.req.header("Authorization"),
      secret(c.env.USER_TOKEN_SECRET, "USER_TOKEN_SECRET", 32),
    );
    const budget = invocationBudget();
    const client = createClientFromEnv(c.env as unknown as Record<string, unknown>, {
      fetch: budget.fetch,
      retry: ME_RETRY,
    });
    try {
      const { tokens } = await client.deleteUser(user, { signal: c.req.raw.signal });
      return c.json({ tokens });
    } catch (error) {
      if (error instanceof BatchError && !(error instanceof BatchValidationError)) {
        throw upstreamError(error);
      }
      throw error;
    }
  });

  // Every jobs route is the admin's.
  for (const path of ["/v1/jobs", "/v1/jobs/*"]) {
    app.use(path, async (c, next) => {
      await requireAdmin(c.req.header("Authorization"), admin(c.env));
      await next();
    });
  }

  app.post("/v1/jobs", async (c) => {
    const format = formatOf(c.req.header("Content-Type"));
    const body = c.req.raw.body;
    if (!body) throw new HttpError(400, "NO_IDS", "The body is empty: send the ids to delete.");
    try {
      const job = await startJob(
        c.env.BATCH_JOBS,
        readIds(body, { format, name: "body", signal: c.req.raw.signal }),
        { maxIdsPerMessage: Math.min(positiveInt(c.env.JOB_IDS_PER_MESSAGE, 10_000), 10_000) },
      );
      console.log(
        JSON.stringify({
          event: "job.created",
          job: job.id,
          requested: job.requested,
          messages: job.messages,
        }),
      );
      return c.json(
        { id: job.id, state: job.state, requested: job.requested, messages: job.messages },
        202,
        { Location: `/v1/jobs/${job.id}` },
      );
    } catch (error) {
      if (error instanceof IdReadError) {
        throw new HttpError(400, "INVALID_IDS", `Nothing was enqueued: ${error.message}`, {
          error: { line: error.line },
        });
      }
      if (error instanceof BatchValidationError) {
        const empty = /holds no user id/.test(error.message);
        throw new HttpError(
          400,
          empty ? "NO_IDS" : "INVALID_IDS",
          `Nothing was enqueued: ${error.message}`,
        );
      }
      throw error;
    }
  });

  app.get("/v1/jobs/:id", async (c) =>
    c.json(found(await jobOf(c.env, c.req.param("id")).status())),
  );

  app.get("/v1/jobs/:id/failed", async (c) => {
    const job = jobOf(c.env, c.req.param("id"));
    const { items, next } = found(await job.failedIds(pageQuery(c.req.url)));
    return c.json({ ids: items, next });
  });

  app.get("/v1/jobs/:id/tokens", async (c) => {
    const job = jobOf(c.env, c.req.param("id"));
    const { items, next } = found(await job.tokens(pageQuery(c.req.url)));
    return c.json({ tokens: items, next });
  });

  app.notFound((c) =>
    errorResponse(
      c,
      new HttpError(404, "NOT_FOUND", `No route ${c.req.method} ${new URL(c.req.url).pathname}.`),
    ),
  );

  app.onError((error, c) => {
    if (error instanceof HttpError) return errorResponse(c, error);
    if (error instanceof BatchValidationError) {
      // Bad configuration (createClientFromEnv names the variable, never its value).
      const variable = Object(error).variable;
      return errorResponse(
        c,
        new HttpError(
          500,
          "MISCONFIGURED",
          `The service is misconfigured${variable ? `: ${variable}` : ""}.`,
        ),
      );
    }
    // Anything else: logged by name only (a foreign error's text could quote anything).
    console.error(JSON.stringify({ event: "error", name: Object(error).name ?? "Error" }));
    return errorResponse(c, new HttpError(500, "INTERNAL", "Something went wrong; it was logged."));
  });

  return app;
}
