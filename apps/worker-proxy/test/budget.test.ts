// A consumer misconfigured on purpose: batches of 100 messages and 3 apps would need
// 100 × 3 × 2 + 1 = 601 subrequests. The consumer processes what fits in 50, passes the rest
// back to the Queue, and the job still completes, every invocation within the budgets.
import { afterAll, beforeAll, expect, it } from "vitest";
import { APP_KEYS, admin, type Harness, secretsIn, startHarness } from "./harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    apps: ["ios", "android", "web"],
    vars: { JOB_IDS_PER_MESSAGE: "100" },
    consumers: { "batch-deletions": { maxBatchSize: 100 } },
  });
});
afterAll(() => h?.close());

it("defers what does not fit, and never passes 50 subrequests or 6 connections", async () => {
  const ids = Array.from({ length: 20_000 }, (_, i) => `b-${i}`);
  for (const key of Object.values(APP_KEYS)) h.emulator.seed(key, ids);
  // Calls that take a while, so that the ones an invocation makes at once overlap.
  h.emulator.setFaults({ latencyMs: 20 });
  const created = await h.json(
    "/v1/jobs",
    admin({ method: "POST", headers: { "Content-Type": "text/plain" }, body: ids.join("\n") }),
  );
  expect(created.body).toMatchObject({ requested: 20_000, messages: 200 });
  const job = await h.waitForJob(created.body.id, 90_000);
  expect(job).toMatchObject({ confirmed: 20_000, failed: 0, settled: 200, tokens: 600 });
  h.emulator.flush();
  for (const key of Object.values(APP_KEYS)) expect(h.emulator.count(key)).toBe(0);

  const consumer = (await h.invocations()).filter((i) => i.kind === "queue");
  const big = consumer.filter((i) => (i.messages ?? 0) > 16);
  console.log(
    `3 apps, batches of up to 100: ${JSON.stringify({
      consumerInvocations: consumer.length,
      largestBatch: Math.max(...consumer.map((i) => i.messages ?? 0)),
      maxSubrequests: Math.max(...consumer.map((i) => i.subrequests)),
      maxConnections: Math.max(...consumer.map((i) => i.peakConnections)),
    })}`,
  );
  expect(big.length).toBeGreaterThan(0); // batches bigger than the budget allows did arrive
  for (const i of consumer) {
    expect(i.subrequests).toBeLessThanOrEqual(50);
    expect(i.peakConnections).toBeLessThanOrEqual(6);
  }
  expect(Math.max(...consumer.map((i) => i.peakConnections))).toBeGreaterThan(1);
  // Deferred messages went back with sendBatch (counted above), not with retry(): none of the
  // 200 messages spent a delivery attempt on being deferred.
  expect(consumer.flatMap((i) => i.retries ?? [])).toEqual([]);
  const lines = h.logs.filter((l) => l.includes('"event":"queue.batch"')).map((l) => JSON.parse(l));
  expect(lines.some((l) => l.deferred > 0)).toBe(true);
  expect(secretsIn([...h.bodies, ...h.logs])).toEqual([]);
});
