import { BatchAbortError, BatchValidationError } from "@batch-custom-data/core";
import type { ReadIdsOptions } from "@batch-custom-data/core/ids";
import ky, { type Hooks, isHTTPError, type KyInstance } from "ky";
import {
  type CallContext,
  createRedactor,
  RETRY_STATUSES,
  retryAfter,
  toBatchError,
  unexpectedAnswer,
} from "./errors.js";
import { type IdFile, uploadBody } from "./files.js";

/** A job's state: `done` once every id has its outcome (`confirmed + failed === requested`). */
export type JobState = "staging" | "enqueuing" | "running" | "done";

/** `GET /v1/jobs/:id`. */
export interface ProxyJob {
  readonly id: string;
  readonly state: JobState;
  /** Ids in the job. */
  readonly requested: number;
  /** Ids every app confirmed deleting. */
  readonly confirmed: number;
  /** Ids some app did not delete, for good: list them with `failedIds`. */
  readonly failed: number;
  /** Ids with no outcome yet. */
  readonly pending: number;
  /** Queue messages: in the job, sent, with their outcome. */
  readonly messages: number;
  readonly enqueued: number;
  readonly settled: number;
  /** Deliveries retried through the Queue (a fault, a rate limit). */
  readonly retries: number;
  readonly duplicates: number;
  /** Failed ids by reason (Batch's error name). */
  readonly errors: Readonly<Record<string, number>>;
  /** Transaction tokens received: list them with `jobTokens`. */
  readonly tokens: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly finishedAt: string | null;
}

/** `POST /v1/jobs`: the job was created and its ids are being queued. */
export interface CreatedJob {
  readonly id: string;
  readonly state: JobState;
  readonly requested: number;
  readonly messages: number;
}

/** `DELETE /v1/me`: one token per app (Batch's transaction tokens, for support). */
export interface DeletedMe {
  readonly tokens: readonly { readonly app: string; readonly token: string }[];
}

export interface JobToken {
  readonly seq: number;
  readonly app: string;
  readonly token: string;
  readonly ids: number;
}

export interface ProxyRetryOptions {
  /** Retries after the first attempt (default 2). */
  limit?: number;
  /** Longest wait between attempts, in ms (default 10,000); backoff with full jitter below it. */
  backoffLimit?: number;
  /** Longest `Retry-After` to wait for, in ms (default 30,000); a longer one fails the call. */
  maxRetryAfter?: number;
}

export interface ProxyClientOptions {
  /** The proxy's address, e.g. `https://privacy.example.com` (no query, no fragment). */
  url: string | URL;
  /**
   * The bearer token: a signed-in user's token (`deleteMe`), or the admin token (jobs). A
   * function is called before every request, so a refreshed token is used.
   */
  token?: string | (() => string | Promise<string>);
  /** Per attempt, in ms (default 30,000). `false`: none. */
  timeoutMs?: number | false;
  /** `startJob`'s upload, in ms (default 600,000): a file of millions of ids takes a while. */
  uploadTimeoutMs?: number | false;
  /** Retries of the idempotent calls (GET, DELETE) only; `startJob` is never sent twice. */
  retry?: ProxyRetryOptions | false;
  /** ky's hooks (`beforeRequest`, `afterResponse`, `beforeRetry`, `beforeError`), run as given. */
  hooks?: Hooks;
  /** Any fetch-compatible function (default: the global `fetch`, looked up per call). */
  fetch?: typeof fetch;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface StartJobOptions extends CallOptions, Omit<ReadIdsOptions, "signal" | "name"> {}

export interface WatchOptions extends CallOptions {
  /** Between two reads of the job, in ms (default 1,000). */
  intervalMs?: number;
}

export interface PageOptions extends CallOptions {
  /** Items per request, 1 to 10,000 (default 10,000). */
  pageSize?: number;
}

export interface ProxyClient {
  /** `DELETE /v1/me`: deletes the signed-in user's data in every app (token: the user's). */
  deleteMe(options?: CallOptions): Promise<DeletedMe>;
  /**
   * `POST /v1/jobs`: starts a bulk deletion of `ids` (an array, or a `File`/`Blob` of lines,
   * CSV, NDJSON or a JSON array). Sent once, never retried. Check a file first with
   * `countFileIds`: the proxy refuses a bad line too, but only after the upload.
   */
  startJob(ids: readonly string[] | IdFile, options?: StartJobOptions): Promise<CreatedJob>;
  /** `GET /v1/jobs/:id`. */
  getJob(id: string, options?: CallOptions): Promise<ProxyJob>;
  /** The job, read every `intervalMs` until it is `done` (the last one yielded), or the signal aborts. */
  watchJob(id: string, options?: WatchOptions): AsyncGenerator<ProxyJob, void, undefined>;
  /** `GET /v1/jobs/:id/failed`, page after page: the ids that were not deleted. */
  failedIds(id: string, options?: PageOptions): AsyncGenerator<string[], void, undefined>;
  /** `GET /v1/jobs/:id/tokens`, page after page: Batch's transaction tokens. */
  jobTokens(id: string, options?: PageOptions): AsyncGenerator<JobToken[], void, undefined>;
}

const DEFAULT_RETRY: Required<ProxyRetryOptions> = {
  limit: 2,
  backoffLimit: 10_000,
  maxRetryAfter: 30_000,
};

function checkUrl(value: string | URL): URL {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {}
  if (!url || !/^https?:$/.test(url.protocol) || url.search || url.hash || url.username) {
    throw new BatchValidationError(
      "createProxyClient: url must be the proxy's http(s) address, with no query, fragment or credentials, e.g. https://privacy.example.com.",
      { option: "url" },
    );
  }
  if (!url.pathname.endsWith("/")) url.pathname += "/";
  return url;
}

const pathOf = (id: string) => `v1/jobs/${encodeURIComponent(id)}`;

function checkPageSize(pageSize: number): number {
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 10_000) {
    throw new BatchValidationError("pageSize must be an integer from 1 to 10,000.", {
      option: "pageSize",
    });
  }
  return pageSize;
}

/** Waits `ms`, or rejects with a `BatchAbortError` as soon as `signal` aborts. */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const aborted = () => {
      clearTimeout(timer);
      reject(new BatchAbortError("Aborted by the caller's AbortSignal."));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", aborted);
      resolve();
    }, ms);
    if (signal?.aborted) aborted();
    else signal?.addEventListener("abort", aborted, { once: true });
  });
}

/**
 * A client for a deletion proxy such as apps/worker-proxy: the page never holds a Batch key,
 * only its user's token (or an operator's admin token). Built on ky: per-attempt timeouts,
 * retries with backoff and `Retry-After` for the idempotent calls (GET, DELETE) only, hooks.
 * Every failure is one of the core's errors (`BatchProxyError`, a `BatchApiError`;
 * `BatchNetworkError`, saying in a browser whether CORS, a proxy down or the network is to
 * blame; `BatchTimeoutError`; `BatchAbortError`); none quotes the token.
 */
export function createProxyClient(options: ProxyClientOptions): ProxyClient {
  const base = checkUrl(options.url);
  const { token } = options;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const uploadTimeoutMs = options.uploadTimeoutMs ?? 600_000;
  const retry = options.retry === false ? { limit: 0 } : { ...DEFAULT_RETRY, ...options.retry };
  const fetchFn: typeof fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  let lastToken = typeof token === "string" ? token : "";
  const redact = createRedactor(() => [lastToken]);

  const api: KyInstance = ky.create({
    prefixUrl: base.href,
    timeout: timeoutMs,
    // A redirect is never followed: the answer is reported as it is (see fromAnswer).
    redirect: "manual",
    credentials: "omit",
    fetch: fetchFn,
    retry: {
      limit: retry.limit,
      methods: ["get", "delete"],
      statusCodes: [...RETRY_STATUSES],
      afterStatusCodes: [429, 503],
      backoffLimit: "backoffLimit" in retry ? retry.backoffLimit : undefined,
      maxRetryAfter: "maxRetryAfter" in retry ? retry.maxRetryAfter : undefined,
      retryOnTimeout: true,
      jitter: true,
      // ky would wait maxRetryAfter for a longer Retry-After; failing at once says how long
      // the proxy asked for (retryAfterMs), for the caller to show.
      shouldRetry: ({ error }) =>
        isHTTPError(error) &&
        "maxRetryAfter" in retry &&
        (retryAfter(error.response.headers.get("retry-after")) ?? 0) > retry.maxRetryAfter
          ? false
          : undefined,
    },
    hooks: {
      beforeRequest: [
        async (request) => {
          const value = typeof token === "function" ? await token() : token;
          if (value) {
            lastToken = value;
            request.headers.set("Authorization", `Bearer ${value}`);
          }
        },
        ...(options.hooks?.beforeRequest ?? []),
      ],
      beforeRetry: options.hooks?.beforeRetry ?? [],
      afterResponse: options.hooks?.afterResponse ?? [],
      beforeError: options.hooks?.beforeError ?? [],
    },
  });

  /** One call: its JSON answer, or the error it stands for. */
  async function call<T>(
    method: "get" | "post" | "delete",
    path: string,
    init: {
      signal?: AbortSignal;
      body?: BodyInit;
      headers?: Record<string, string>;
      timeout?: number | false;
    } = {},
  ): Promise<T> {
    let attempts = 0;
    const context = (): CallContext => ({
      request: { method: method.toUpperCase(), url: new URL(path, base).href, app: "proxy" },
      attempts,
      signal: init.signal,
      timeoutMs: init.timeout ?? timeoutMs,
      redact,
      fetch: fetchFn,
    });
    try {
      const response = await api(path, {
        method,
        ...init,
        ...(method === "post" ? { retry: 0 } : {}),
        hooks: { beforeRequest: [() => void attempts++] },
      });
      const text = await response.text();
      try {
        return JSON.parse(text) as T;
      } catch {
        throw unexpectedAnswer(response.status, context());
      }
    } catch (thrown) {
      throw await toBatchError(thrown, context());
    }
  }

  async function* pages<T>(path: string, field: string, options: PageOptions) {
    const limit = checkPageSize(options.pageSize ?? 10_000);
    let cursor: string | null = null;
    do {
      const query: string = `?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const page: Record<string, unknown> = await call("get", path + query, options);
      const items = page[field];
      yield (Array.isArray(items) ? items : []) as T[];
      cursor = typeof page.next === "string" ? page.next : null;
    } while (cursor);
  }

  return {
    deleteMe: ({ signal } = {}) => call("delete", "v1/me", { signal }),

    async startJob(ids, { signal, ...read } = {}) {
      const { body, contentType } = await uploadBody(ids, { ...read, signal });
      return call("post", "v1/jobs", {
        signal,
        body,
        headers: { "Content-Type": contentType },
        timeout: uploadTimeoutMs,
      });
    },

    getJob: (id, { signal } = {}) => call("get", pathOf(id), { signal }),

    async *watchJob(id, { signal, intervalMs = 1_000 } = {}) {
      for (;;) {
        const job: ProxyJob = await call("get", pathOf(id), { signal });
        yield job;
        if (job.state === "done") return;
        await pause(intervalMs, signal);
      }
    },

    failedIds: (id, options = {}) => pages<string>(`${pathOf(id)}/failed`, "ids", options),
    jobTokens: (id, options = {}) => pages<JobToken>(`${pathOf(id)}/tokens`, "tokens", options),
  };
}
