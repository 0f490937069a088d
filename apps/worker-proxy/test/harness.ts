// Runs the built Worker (dist/index.js, wrangler's bundle) in workerd through Miniflare, with
// the bindings wrangler.jsonc declares (real local Queues and SQLite Durable Objects), against
// the emulator served on 127.0.0.1. Counts each invocation's subrequests and connections from
// outside the Worker (see instrument.js), and keeps every log line and response body so the
// tests can check that no secret ever shows.
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { createEmulator, type Emulator } from "@batch-custom-data/emulator";
import { type ServedEmulator, serve } from "@batch-custom-data/emulator/node";
import { Miniflare, type WorkerOptions } from "miniflare";
import { inject } from "vitest";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export const SECRETS = {
  restApiKey: "REST-KEY-5ecret-b4tch-rest-0123456789",
  userTokenSecret: "user-token-secret-0123456789abcdef-0123456789",
  adminToken: "admin-token-0123456789abcdef0123456789abcdef",
};
export const APP_KEYS = {
  ios: "IOS-KEY-5ecret-0123456789abcdef",
  android: "ANDROID-KEY-5ecret-0123456789ab",
  web: "WEB-KEY-5ecret-0123456789abcdef0",
};

export interface InvocationStats {
  id: string;
  kind: "fetch" | "queue" | "alarm";
  /** Calls to Batch (counted by the server) plus Durable Object and Queue calls. */
  subrequests: number;
  fetches: number;
  bindingCalls: number;
  /** Most calls to Batch open at once. */
  peakConnections: number;
  queue?: string;
  messages?: number;
  retries?: { attempts: number; delaySeconds: number | null }[];
}

/** What GET /v1/jobs/:id answers (the app's README documents it). */
export interface JobView {
  id: string;
  state: "staging" | "enqueuing" | "running" | "done";
  requested: number;
  confirmed: number;
  failed: number;
  pending: number;
  messages: number;
  enqueued: number;
  settled: number;
  retries: number;
  duplicates: number;
  errors: Record<string, number>;
  tokens: number;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

// biome-ignore lint/suspicious/noExplicitAny: parsed JSON, shaped by each test's expectations
export type Json = any;

export interface HarnessOptions {
  /** App labels (keys from APP_KEYS) the Worker deletes in. Default ios, android. */
  apps?: (keyof typeof APP_KEYS)[];
  /** Apps the emulator says lack the Custom Data API (403). */
  restrictedApps?: (keyof typeof APP_KEYS)[];
  /** More variables for the Worker. */
  vars?: Record<string, string>;
  /** Overrides of wrangler.jsonc's consumer settings, per queue. */
  consumers?: Record<string, Record<string, unknown>>;
}

export interface Harness {
  readonly emulator: Emulator;
  readonly logs: string[];
  readonly bodies: string[];
  /** A request to the Worker (http://worker.test + path); its body is kept. */
  request(path: string, init?: RequestInit & { origin?: string }): Promise<Response>;
  /** A request to the Worker, its JSON body parsed. */
  json<T = Json>(
    path: string,
    init?: RequestInit,
  ): Promise<{ status: number; body: T; headers: Headers }>;
  /** Every finished invocation's figures (waits for their log lines). */
  invocations(): Promise<InvocationStats[]>;
  /** Polls the job (admin route) until `done`, or throws after `timeoutMs`. */
  waitForJob(id: string, timeoutMs?: number): Promise<JobView>;
  close(): Promise<void>;
}

const adminAuth = { Authorization: `Bearer ${SECRETS.adminToken}` };
export const admin = (init: RequestInit = {}): RequestInit => ({
  ...init,
  headers: { ...adminAuth, ...(init.headers as Record<string, string>) },
});

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const apps = options.apps ?? ["ios", "android"];
  const emulator = createEmulator({
    apps: Object.values(APP_KEYS),
    restApiKey: SECRETS.restApiKey,
    restrictedApps: (options.restrictedApps ?? []).map((app) => APP_KEYS[app]),
    processingDelayMs: 0,
    seed: 7,
    logLimit: 10,
  });
  const calls = new Map<string, { fetches: number; open: number; peak: number }>();
  const served: ServedEmulator = await serve({
    fetch: async (request: Request) => {
      const url = new URL(request.url);
      const match = /^\/i\/([\w-]+)(\/.*)$/.exec(url.pathname);
      if (!match) return emulator.fetch(request);
      const [, id, rest] = match;
      const stats = calls.get(id!) ?? { fetches: 0, open: 0, peak: 0 };
      calls.set(id!, stats);
      stats.fetches++;
      stats.open++;
      stats.peak = Math.max(stats.peak, stats.open);
      try {
        const body = request.method === "GET" ? undefined : await request.arrayBuffer();
        return await emulator.fetch(
          new Request(new URL(rest! + url.search, url), {
            method: request.method,
            headers: request.headers,
            body: body?.byteLength ? body : undefined,
          }),
        );
      } finally {
        stats.open--;
      }
    },
  });

  const logs: string[] = [];
  const bodies: string[] = [];
  const reported = new Map<
    string,
    Omit<InvocationStats, "fetches" | "peakConnections" | "subrequests">
  >();
  const capture = (stream: Readable) =>
    createInterface({ input: stream }).on("line", (line) => {
      logs.push(line);
      const at = line.indexOf("@@invocation ");
      if (at !== -1) {
        const entry = JSON.parse(line.slice(at + 13));
        reported.set(entry.id, entry);
      }
    });

  const base = inject("workerOptions") as WorkerOptions & {
    bindings: Record<string, string>;
    queueConsumers: Record<string, Record<string, unknown>>;
  };
  const consumers = structuredClone(base.queueConsumers) as Record<string, Record<string, unknown>>;
  for (const [queue, settings] of Object.entries(consumers)) {
    // Batches close after 1 s instead of 5: the same code paths, a shorter wall time.
    Object.assign(settings, { maxBatchTimeout: 1 }, options.consumers?.[queue]);
  }
  const apiKey = apps.map((app) => `${app}=${APP_KEYS[app]}`).join(",");
  const mf = new Miniflare({
    ...base,
    queueConsumers: consumers,
    modules: [
      {
        type: "ESModule",
        path: here("./instrument.js"),
        contents: readFileSync(here("./instrument.js"), "utf8"),
      },
      {
        type: "ESModule",
        path: here("./index.js"),
        contents: readFileSync(here("../dist/index.js"), "utf8"),
      },
    ],
    modulesRoot: here("."),
    bindings: {
      ...base.bindings,
      ALLOWED_ORIGINS: "https://app.example.com,http://localhost:5173",
      BATCH_API_KEY: apiKey,
      BATCH_REST_API_KEY: SECRETS.restApiKey,
      USER_TOKEN_SECRET: SECRETS.userTokenSecret,
      ADMIN_TOKEN: SECRETS.adminToken,
      COUNTER_ORIGIN: served.url,
      JOB_RETRY_BASE_SECONDS: "1",
      ...options.vars,
    },
    handleRuntimeStdio(stdout: Readable, stderr: Readable) {
      capture(stdout);
      capture(stderr);
    },
  } as never);
  await mf.ready;

  const request = async (path: string, init: RequestInit & { origin?: string } = {}) => {
    const { origin, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (origin) headers.set("Origin", origin);
    const response = await mf.dispatchFetch(`http://worker.test${path}`, {
      ...rest,
      headers,
    } as never);
    const text = await response.text();
    bodies.push(text);
    return new Response(response.status === 204 ? null : text, {
      status: response.status,
      headers: response.headers as unknown as Headers,
    });
  };

  const json = async (path: string, init?: RequestInit) => {
    const response = await request(path, init);
    const text = await response.text();
    return {
      status: response.status,
      body: text ? JSON.parse(text) : null,
      headers: response.headers,
    };
  };

  const invocations = async () => {
    // Log lines arrive through a pipe: wait until every invocation the server saw has reported.
    const deadline = Date.now() + 5_000;
    while ([...calls.keys()].some((id) => !reported.has(id)) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return [...reported.values()].map((entry) => {
      const stats = calls.get(entry.id) ?? { fetches: 0, peak: 0 };
      return {
        ...entry,
        fetches: stats.fetches,
        peakConnections: stats.peak,
        subrequests: stats.fetches + entry.bindingCalls,
      };
    });
  };

  const waitForJob = async (id: string, timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { body } = await json(`/v1/jobs/${id}`, admin());
      if (body.state === "done") return body;
      if (Date.now() > deadline)
        throw new Error(`job not done after ${timeoutMs} ms: ${JSON.stringify(body)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };

  return {
    emulator,
    logs,
    bodies,
    request,
    json,
    invocations,
    waitForJob,
    async close() {
      await mf.dispose();
      await served.close();
      emulator.close();
    },
  };
}

/** Every secret the Worker holds, and `more` (tokens the test made): none may show anywhere. */
export function secretsIn(texts: readonly string[], more: readonly string[] = []): string[] {
  const secrets = [...Object.values(SECRETS), ...Object.values(APP_KEYS), ...more];
  return secrets.filter((secret) => texts.some((text) => text.includes(secret)));
}
