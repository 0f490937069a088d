// Ids that cannot be deleted end as failed, counted once, and listed (paged) for a retry:
// a refusal from Batch (403), retries exhausted (500 every time), and messages the Queue
// itself gave up on (dead-letter queue).

import { SignJWT } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { admin, type Harness, SECRETS, secretsIn, startHarness } from "./harness.js";

let h: Harness | undefined;
afterEach(async () => {
  if (h) expect(secretsIn([...h.bodies, ...h.logs])).toEqual([]);
  await h?.close();
  h = undefined;
});

async function submit(harness: Harness, ids: string[]) {
  const created = await harness.json(
    "/v1/jobs",
    admin({ method: "POST", headers: { "Content-Type": "text/plain" }, body: ids.join("\n") }),
  );
  expect(created.status).toBe(202);
  return created.body.id as string;
}

async function failedIds(harness: Harness, id: string, limit: number) {
  const pages: string[][] = [];
  let cursor: string | null = null;
  do {
    const query: string = `?limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`;
    const { body } = await harness.json(`/v1/jobs/${id}/failed${query}`, admin());
    pages.push(body.ids);
    cursor = body.next;
  } while (cursor);
  return pages;
}

describe("failed ids", () => {
  it("are counted once and listed in pages when Batch refuses an app (403)", async () => {
    h = await startHarness({ restrictedApps: ["android"], vars: { JOB_IDS_PER_MESSAGE: "1000" } });
    const ids = Array.from({ length: 2_500 }, (_, i) => `p-${i}`);
    const id = await submit(h, ids);
    const job = await h.waitForJob(id);
    expect(job).toMatchObject({
      requested: 2_500,
      confirmed: 0,
      failed: 2_500,
      pending: 0,
      settled: 3,
      retries: 0,
      errors: { API_MISUSE: 2_500 },
      tokens: 3, // iOS deleted them: its tokens are kept
    });
    const pages = await failedIds(h, id, 1_000);
    expect(pages.map((p) => p.length)).toEqual([1_000, 1_000, 500]);
    expect(pages.flat()).toEqual(ids);

    // DELETE /v1/me too: a 502 that still gives the token of the app that did delete.
    const jwt = await new SignJWT({ sub: "p-1" })
      .setProtectedHeader({ alg: "HS256" })
      .setExpirationTime("1m")
      .sign(new TextEncoder().encode(SECRETS.userTokenSecret));
    const me = await h.json("/v1/me", {
      method: "DELETE",
      headers: { Authorization: `Bearer ${jwt}` },
    });
    expect(me.status).toBe(502);
    expect(me.body).toEqual({
      error: { code: "UPSTREAM_REJECTED", message: expect.any(String), upstream: "API_MISUSE" },
      tokens: [{ app: "ios", token: expect.any(String) }],
    });
    expect(secretsIn(h.bodies, [jwt])).toEqual([]);
  });

  it("end as failed once a message has used its attempts", async () => {
    h = await startHarness({ apps: ["ios"], vars: { JOB_MAX_ATTEMPTS: "2" } });
    h.emulator.setFaults({ serverError: 1 });
    const id = await submit(h, ["e1", "e2"]);
    const job = await h.waitForJob(id);
    expect(job).toMatchObject({ confirmed: 0, failed: 2, retries: 1, errors: { SERVER_ERROR: 2 } });
    expect((await failedIds(h, id, 10)).flat()).toEqual(["e1", "e2"]);
    // 2 deliveries × (1 call + 1 retry inside the invocation).
    expect(h.emulator.stats().faults).toBe(4);
  });

  it("end as failed when the Queue gives up on a message (dead-letter queue)", async () => {
    h = await startHarness({
      apps: ["ios"],
      vars: { JOB_MAX_ATTEMPTS: "5" },
      consumers: { "batch-deletions": { maxRetries: 1 } },
    });
    h.emulator.setFaults({ maintenance: 1 });
    const id = await submit(h, ["d1", "d2", "d3"]);
    const job = await h.waitForJob(id);
    expect(job).toMatchObject({ confirmed: 0, failed: 3, errors: { DEAD_LETTERED: 3 } });
    expect((await failedIds(h, id, 10)).flat()).toEqual(["d1", "d2", "d3"]);
    const queues = (await h.invocations()).filter((i) => i.kind === "queue").map((i) => i.queue);
    expect(queues).toContain("batch-deletions-dlq");
  });
});
