// Bulk jobs end to end in workerd: POST /v1/jobs streams the body into the job's Durable
// Object, its alarm enqueues, the Queue consumer deletes through the emulator (with faults),
// and the job's figures account for every id. Every invocation's subrequests are counted.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  APP_KEYS,
  admin,
  type Harness,
  type InvocationStats,
  type JobView,
  type Json,
  secretsIn,
  startHarness,
} from "./harness.js";

const text = (ids: string[]) => `${ids.join("\n")}\n`;
const post = (body: string, type = "text/plain") =>
  admin({ method: "POST", headers: { "Content-Type": type }, body });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

/** The job's status once `ready` says so (or the last one read after 15 s). */
async function until(id: string, ready: (job: JobView) => boolean): Promise<JobView> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const job = (await h.json(`/v1/jobs/${id}`, admin())).body;
    if (ready(job) || Date.now() > deadline) return job;
    await sleep(200);
  }
}

/** All pages of a paged route, concatenated. */
async function all(path: string, field: "ids" | "tokens", limit = 1_000) {
  const items: Json[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `?limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`;
    const { status, body } = await h.json(`${path}${query}`, admin());
    expect(status).toBe(200);
    items.push(...body[field]);
    cursor = body.next;
  } while (cursor);
  return items;
}

describe("POST /v1/jobs", () => {
  it("deletes every id of a small job (NDJSON), with its tokens listed", async () => {
    const ids = ["alice", "bob", "çédille", "emoji-😀", "with space ", "slash/and?query#"];
    for (const key of [APP_KEYS.ios, APP_KEYS.android]) h.emulator.seed(key, ids);
    const ndjson = ids
      .map((id, i) => (i % 2 ? JSON.stringify({ id }) : JSON.stringify(id)))
      .join("\n");
    const created = await h.json("/v1/jobs", post(ndjson, "application/x-ndjson"));
    expect(created.status).toBe(202);
    expect(created.body).toEqual({
      id: expect.any(String),
      state: "enqueuing",
      requested: 6,
      messages: 1,
    });
    expect(created.headers.get("location")).toBe(`/v1/jobs/${created.body.id}`);

    const job = await h.waitForJob(created.body.id);
    expect(job).toMatchObject({
      requested: 6,
      confirmed: 6,
      failed: 0,
      pending: 0,
      settled: 1,
      tokens: 2,
    });
    const tokens = await all(`/v1/jobs/${job.id}/tokens`, "tokens");
    expect(tokens.map((t) => t.app).sort()).toEqual(["android", "ios"]);
    for (const t of tokens)
      expect(h.emulator.transaction(t.token)).toMatchObject({ kind: "bulk", ids: 6 });
    h.emulator.flush();
    for (const key of [APP_KEYS.ios, APP_KEYS.android]) {
      for (const id of ids) expect(h.emulator.hasData(key, id)).toBe(false);
    }
    expect(await all(`/v1/jobs/${job.id}/failed`, "ids")).toEqual([]);
  });

  it("takes a JSON array too", async () => {
    const created = await h.json(
      "/v1/jobs",
      post(JSON.stringify(["j1", "j2", "j3"]), "application/json"),
    );
    expect(created.status).toBe(202);
    expect((await h.waitForJob(created.body.id)).confirmed).toBe(3);
  });

  it("refuses a bad line naming it, and enqueues nothing", async () => {
    const queueRuns = async () => (await h.invocations()).filter((i) => i.kind === "queue").length;
    await sleep(1_500); // let earlier batches finish
    const runs = await queueRuns();
    const requests = h.emulator.stats().requests;
    const long = "x".repeat(1_024);
    const cases: [string, string, number][] = [
      [`a\nb\n${long}\nd\n`, "text/plain", 3],
      ['"a"\n{"id":"b"}\n{"name":"c"}\n', "application/x-ndjson", 3],
      ['["a", "b", 42]', "application/json", 1],
      [`ok\n\u00ff\n`, "text/plain", 2],
    ];
    for (const [body, type, line] of cases) {
      const bytes =
        type === "text/plain" && body.includes("\u00ff")
          ? new Uint8Array([0x6f, 0x6b, 0x0a, 0xff, 0x0a])
          : body;
      const answer = await h.json(
        "/v1/jobs",
        admin({ method: "POST", headers: { "Content-Type": type }, body: bytes }),
      );
      expect(answer.status).toBe(400);
      expect(answer.body.error).toEqual({
        code: "INVALID_IDS",
        message: expect.stringMatching(/^Nothing was enqueued/),
        line,
      });
      expect(answer.body.error.message).not.toContain(long);
    }
    const empty = await h.json("/v1/jobs", post("\n\n"));
    expect(empty.status).toBe(400);
    expect(empty.body.error.code).toBe("NO_IDS");
    await sleep(2_000); // longer than a batch's timeout: anything enqueued would have run
    expect(await queueRuns()).toBe(runs);
    expect(h.emulator.stats().requests).toBe(requests);
  });
});

describe("faults", () => {
  it("retries 500 and 503 through the Queue, with nothing lost", async () => {
    const ids = ["f1", "f2", "f3"];
    for (const key of [APP_KEYS.ios, APP_KEYS.android]) h.emulator.seed(key, ids);
    // Both apps' calls and their one retry inside the invocation fail: the Queue retries.
    h.emulator.setFaults({
      failNext: [
        { kind: "serverError", count: 2 },
        { kind: "maintenance", count: 2 },
      ],
    });
    const created = await h.json("/v1/jobs", post(text(ids)));
    const job = await h.waitForJob(created.body.id);
    expect(job).toMatchObject({ confirmed: 3, failed: 0, retries: 1 });
    h.emulator.flush();
    for (const id of ids) expect(h.emulator.hasData(APP_KEYS.android, id)).toBe(false);
    const statuses = h.emulator.log().map((entry) => entry.status);
    expect(statuses).toEqual(expect.arrayContaining([500, 503, 200]));
    h.emulator.setFaults({});
  });

  it("waits for Retry-After before the Queue delivers a 429'd message again", async () => {
    h.emulator.setFaults({ retryAfterSeconds: 3, failNext: { kind: "tooManyRequests", count: 2 } });
    const started = Date.now();
    const created = await h.json("/v1/jobs", post(text(["r1", "r2"])));
    const job = await h.waitForJob(created.body.id);
    expect(job).toMatchObject({ confirmed: 2, retries: 1 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(3_000);
    const retried = (await h.invocations()).flatMap((i) => i.retries ?? []);
    expect(retried.some((r) => (r.delaySeconds ?? 0) >= 3)).toBe(true);
    h.emulator.setFaults({});
  });
});

describe("at-least-once delivery", () => {
  it("counts a message delivered twice once", async () => {
    const ids = Array.from({ length: 25_000 }, (_, i) => `dup-${i}`);
    await h.request("/__test/crash-next-batch", { method: "POST" });
    const created = await h.json("/v1/jobs", post(text(ids)));
    expect(created.body.messages).toBe(3);
    const job = await h.waitForJob(created.body.id);
    // The crashed batch is delivered again: every message's outcome arrives twice.
    const redelivered = await until(job.id, (j) => j.duplicates >= 3);
    expect(redelivered).toMatchObject({
      requested: 25_000,
      confirmed: 25_000,
      failed: 0,
      settled: 3,
      duplicates: 3,
    });

    // A producer's duplicate, after the job is done: ignored too.
    await h.request("/__test/send", {
      method: "POST",
      body: JSON.stringify({ job: job.id, seq: 0, ids: ids.slice(0, 10) }),
    });
    const after = await until(job.id, (j) => j.duplicates >= 4);
    expect(after).toMatchObject({ state: "done", confirmed: 25_000, settled: 3, duplicates: 4 });
  });
});

describe("100,000 ids", () => {
  it("complete across many messages and consumer batches, every id accounted for", async () => {
    const ids = Array.from({ length: 100_000 }, () => `user-${crypto.randomUUID()}`);
    for (const key of [APP_KEYS.ios, APP_KEYS.android]) h.emulator.seed(key, ids);
    const before = (await h.invocations()).map((i) => i.id);
    h.emulator.setFaults({
      serverError: 0.05,
      maintenance: 0.05,
      tooManyRequests: 0.05,
      retryAfterSeconds: 1,
    });
    const faultsBefore = h.emulator.stats().faults;

    const created = await h.json("/v1/jobs", post(text(ids)));
    expect(created.status).toBe(202);
    expect(created.body.requested).toBe(100_000);
    const { id, messages } = created.body;
    expect(messages).toBeGreaterThan(30);

    // Readable while it runs, and consistent at every read.
    const seen = new Set<string>();
    let job: JobView;
    const deadline = Date.now() + 120_000;
    for (;;) {
      job = (await h.json(`/v1/jobs/${id}`, admin())).body;
      seen.add(job.state);
      expect(job.confirmed + job.failed + job.pending).toBe(100_000);
      if (job.state === "done" || Date.now() > deadline) break;
      await sleep(250);
    }
    h.emulator.setFaults({});
    expect(job).toMatchObject({
      state: "done",
      requested: 100_000,
      confirmed: 100_000,
      failed: 0,
      pending: 0,
      settled: messages,
      enqueued: messages,
    });
    expect(seen.size).toBeGreaterThan(1);
    expect(h.emulator.stats().faults).toBeGreaterThan(faultsBefore);

    const tokens = await all(`/v1/jobs/${id}/tokens`, "tokens");
    for (const app of ["ios", "android"]) {
      const mine = tokens.filter((t) => t.app === app);
      expect(mine.length).toBe(messages);
      expect(mine.reduce((sum, t) => sum + t.ids, 0)).toBe(100_000);
    }
    h.emulator.flush();
    for (const key of [APP_KEYS.ios, APP_KEYS.android]) {
      expect(ids.filter((i) => h.emulator.hasData(key, i))).toEqual([]);
    }

    const runs = (await h.invocations()).filter((i) => !before.includes(i.id));
    const consumer = runs.filter((i) => i.kind === "queue");
    const figures = {
      ids: 100_000,
      messages,
      consumerInvocations: consumer.length,
      alarmInvocations: runs.filter((i) => i.kind === "alarm").length,
      queueRetries: job.retries,
      emulatorFaults: h.emulator.stats().faults - faultsBefore,
      maxSubrequestsPerInvocation: Math.max(...runs.map((i) => i.subrequests)),
      maxConnectionsPerInvocation: Math.max(...runs.map((i) => i.peakConnections)),
    };
    console.log(`100,000-id job: ${JSON.stringify(figures)}`);
    expect(consumer.length).toBeGreaterThanOrEqual(Math.ceil(messages / 10));
  });
});

describe("every invocation", () => {
  let invocations: InvocationStats[];
  beforeAll(async () => {
    invocations = await h.invocations();
  });

  it("stays within 50 subrequests and 6 connections", () => {
    expect(invocations.filter((i) => i.kind === "queue").length).toBeGreaterThan(5);
    const over = invocations.filter((i) => i.subrequests > 50 || i.peakConnections > 6);
    expect(over).toEqual([]);
  });

  it("never shows a key or a token in a response or a log line", () => {
    expect(h.logs.some((line) => line.includes('"event":"queue.batch"'))).toBe(true);
    expect(secretsIn([...h.bodies, ...h.logs])).toEqual([]);
  });
});
