// The package in workerd (Miniflare: real local Queues and SQLite Durable Objects, no
// nodejs_compat), through a small Worker that uses it (fixture.ts), against the emulator
// served on 127.0.0.1.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { createEmulator, type Emulator } from "@batch-custom-data/emulator";
import { type ServedEmulator, serve } from "@batch-custom-data/emulator/node";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const REST = "REST-KEY-fixture-0123456789";
const APPS = { ios: "IOS-KEY-fixture-0123456789", android: "ANDROID-KEY-fixture-0123456" };

let mf: Miniflare;
let emulator: Emulator;
let served: ServedEmulator;
let slow: Server;
let slowPeak = 0;
const logs: string[] = [];

// biome-ignore lint/suspicious/noExplicitAny: parsed JSON, shaped by each test's expectations
type Json = any;

async function call(path: string, body?: unknown): Promise<{ status: number; body: Json }> {
  const response = await mf.dispatchFetch(`http://fixture.test${path}`, {
    method: body === undefined ? "GET" : "POST",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

async function waitDone(id: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await call("/status", { id });
    if (body?.state === "done") return body;
    if (Date.now() > deadline) throw new Error(`not done: ${JSON.stringify(body)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

beforeAll(async () => {
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL("./fixture.ts", import.meta.url))],
    bundle: true,
    write: false,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    conditions: ["workerd", "worker", "import"],
    mainFields: ["module", "main"],
    external: ["cloudflare:workers"],
  });
  emulator = createEmulator({ apps: Object.values(APPS), restApiKey: REST, processingDelayMs: 0 });
  served = await serve(emulator);
  let open = 0;
  slow = createServer((request, response) => {
    open++;
    slowPeak = Math.max(slowPeak, open);
    setTimeout(() => {
      open--;
      response.end(request.url);
    }, 100);
  });
  await new Promise<void>((resolve) => slow.listen(0, "127.0.0.1", resolve));
  mf = new Miniflare({
    modules: [{ type: "ESModule", path: "fixture.js", contents: bundle.outputFiles[0]!.text }],
    compatibilityDate: "2025-09-01",
    compatibilityFlags: [],
    bindings: {
      BATCH_API_KEY: `ios=${APPS.ios},android=${APPS.android}`,
      BATCH_REST_API_KEY: REST,
      BATCH_BASE_URL: served.baseUrl,
      SLOW_URL: `http://127.0.0.1:${(slow.address() as AddressInfo).port}`,
    },
    handleRuntimeStdio(stdout: Readable, stderr: Readable) {
      for (const stream of [stdout, stderr]) {
        createInterface({ input: stream }).on("line", (line) => logs.push(line));
      }
    },
    durableObjects: { BATCH_JOBS: { className: "BatchJob", useSQLite: true } },
    queueProducers: { BATCH_QUEUE: "deletions" },
    queueConsumers: {
      deletions: {
        maxBatchSize: 10,
        maxBatchTimeout: 1,
        maxRetries: 5,
        deadLetterQueue: "deletions-dlq",
      },
      "deletions-dlq": { maxBatchSize: 10, maxBatchTimeout: 1 },
    },
  });
  await mf.ready;
});

afterAll(async () => {
  await mf?.dispose();
  await served?.close();
  emulator?.close();
  slow?.close();
});

describe("producer", () => {
  it("gets 10,000 ids of 1,000 characters through the real Queue, in messages it accepts", async () => {
    const { status, body } = await call("/start", {
      ids: { count: 10_000, length: 1_000, repeat: "x" },
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({ state: "enqueuing", requested: 10_000, messages: 82 });
    const job = await waitDone(body.id);
    expect(job).toMatchObject({
      confirmed: 10_000,
      failed: 0,
      enqueued: 82,
      settled: 82,
      tokens: 164,
    });
    expect(emulator.stats().idsAccepted).toBe(20_000);
  });

  it("sizes ids full of characters JSON escapes to 6 bytes by their escaped length", async () => {
    const before = emulator.stats().idsAccepted;
    const { body } = await call("/start", {
      ids: { count: 3_000, length: 1_000, repeat: "\u0001" },
    });
    // 6,000 bytes an id: 20 a message, where counting characters would put 123 (and fail).
    expect(body).toMatchObject({ requested: 3_000, messages: 150 });
    const job = await waitDone(body.id);
    expect(job).toMatchObject({ confirmed: 3_000, failed: 0, settled: 150 });
    expect(emulator.stats().idsAccepted - before).toBe(6_000);
  });

  it("(the local Queue does refuse a message over 128 KB: the limit is real here)", async () => {
    expect((await call("/oversize", { bytes: 127_000 })).body.sent).toBe(true);
    expect((await call("/oversize", { bytes: 130_000 })).body).toMatchObject({ sent: false });
  });

  it("stages nothing it would enqueue when an id is bad, and forgets the job", async () => {
    const { status, body } = await call("/start", {
      ids: ["ok", "x".repeat(1_024)],
      options: { id: "bad-job" },
    });
    expect(status).toBe(400);
    expect(body.error).toMatch(/number 2 is 1024 characters long/);
    expect((await call("/status", { id: "bad-job" })).body).toBeNull();
    expect((await call("/start", { ids: [] })).body.error).toMatch(/holds no user id/);
  });
});

describe("job state", () => {
  it("counts a message's outcome once, keeps its failed ids, and pages them", async () => {
    const id = "ledger-1";
    await call("/create", { id });
    // A sealed job of 3 messages.
    const { body: started } = await call("/start", {
      ids: Array.from({ length: 25 }, (_, i) => `l-${i}`),
      options: { id: "ledger-2", maxIdsPerMessage: 10 },
    });
    expect(started).toMatchObject({ messages: 3, requested: 25 });
    // A job created but never sealed ignores results; a sealed one takes them once each.
    expect((await call("/record", { id, results: [] })).body).toEqual({
      known: false,
      settled: 0,
      duplicates: 0,
    });
    const failed: string[] = Array.from({ length: 10 }, (_, i) => `f-${i}`);
    const results = [
      { seq: 0, ids: 10, outcome: "failed", tokens: [], failedIds: failed, error: { name: "X" } },
      { seq: 0, ids: 10, outcome: "confirmed", tokens: [{ app: "ios", token: "t0" }] },
      { seq: 99, ids: 10, outcome: "confirmed", tokens: [] },
    ];
    const answer = (await call("/record", { id: "ledger-2", results })).body;
    expect(answer).toEqual({ known: true, settled: 1, duplicates: 1 });
    const pages = [];
    let cursor: string | null = null;
    do {
      const page: Json = (await call("/failed", { id: "ledger-2", page: { cursor, limit: 4 } }))
        .body;
      pages.push(page.items);
      cursor = page.next;
    } while (cursor);
    expect(pages.map((p) => p.length)).toEqual([4, 4, 2]);
    expect(pages.flat()).toEqual(failed);
  });

  it("refuses to seal what was not all staged", async () => {
    await call("/create", { id: "seal-1" });
    const { status, body } = await call("/seal", {
      id: "seal-1",
      expected: { requested: 5, messages: 1 },
    });
    expect(status).toBe(400);
    expect(body.error).toMatch(/Staged 0 messages of 0 ids; the producer read 1 of 5/);
    await call("/discard", { id: "seal-1" });
    expect((await call("/status", { id: "seal-1" })).body).toBeNull();
  });
});

describe("consumer", () => {
  it("fails a message the core refuses (a bad id it did not stage) without holding up its batch", async () => {
    const bad = "x".repeat(1_024);
    await call("/queue-text", { text: "not a job message" });
    const { body } = await call("/raw-job", { id: "poison", ids: ["fine", bad] });
    expect(body.state).toBe("enqueuing");
    const job = await waitDone("poison");
    expect(job).toMatchObject({ confirmed: 0, failed: 2, errors: { BatchValidationError: 2 } });
    expect((await call("/failed", { id: "poison", page: {} })).body.items).toEqual(["fine", bad]);
    // Counted in whichever consumer batch the local Queue put it (with others' malformed ones).
    expect(logs.some((line) => /"malformed":[1-9]/.test(line))).toBe(true);
  });
});

describe("retention", () => {
  it("deletes a finished job's storage (its failed ids are personal data) after retentionMs", async () => {
    const { body } = await call("/start", { ids: ["r-1", "r-2"], options: { id: "retained" } });
    const job = await waitDone(body.id);
    expect(job.confirmed).toBe(2);
    expect((await call("/status", { id: "retained" })).body).not.toBeNull();
    const deadline = Date.now() + 15_000;
    while ((await call("/status", { id: "retained" })).body !== null && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect((await call("/status", { id: "retained" })).body).toBeNull();
    expect((await call("/failed", { id: "retained", page: {} })).body).toBeNull();
  });
});

describe("invocationBudget", () => {
  it("refuses calls past the budget and keeps connections under the limit, in workerd", async () => {
    slowPeak = 0;
    const { body } = await call("/budget", {
      budget: { subrequests: 5, connections: 2 },
      count: 8,
    });
    expect(body.outcomes.filter((o: string) => o === "refused")).toHaveLength(3);
    expect(body.outcomes.filter((o: string) => o.startsWith("ok /"))).toHaveLength(5);
    expect(body.used).toBe(5);
    expect(body.peak).toBe(2);
    expect(slowPeak).toBe(2);
  });
});

describe("createClientFromEnv", () => {
  it("reads the Worker's bindings (the others, objects, are ignored)", async () => {
    emulator.seed(APPS.ios, ["env-user"]);
    const { status, body } = await call("/delete-user", { id: "env-user" });
    expect(status).toBe(200);
    expect(body.tokens.map((t: { app: string }) => t.app)).toEqual(["ios", "android"]);
    emulator.flush();
    expect(emulator.hasData(APPS.ios, "env-user")).toBe(false);
  });
});

describe("logs", () => {
  it("say what each consumer invocation did, without a key", () => {
    const batches = logs.filter((line) => line.includes('"event":"queue.batch"'));
    expect(batches.length).toBeGreaterThan(20);
    for (const line of batches) expect(JSON.parse(line).subrequests).toBeLessThanOrEqual(50);
    const secrets = [REST, ...Object.values(APPS)];
    expect(logs.filter((line) => secrets.some((s) => line.includes(s)))).toEqual([]);
  });
});
