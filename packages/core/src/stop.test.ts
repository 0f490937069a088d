// Whatever stops a bulk run (a graceful stop, an abort, a halting answer, the circuit breaker,
// a failing source, a throwing hook), every id read ends in the report, no call is sent after
// it, and deleteUsers rejects with an error of ours that carries the report.

import { ANDROID_KEY, API_KEY } from "@batch-custom-data/test-helpers";
import { describe, expect, it } from "vitest";
import {
  caught,
  client,
  expectAccounted,
  FAST,
  fakeFetch,
  idsOf,
  never,
  okFetch,
  range,
  reply,
  tokenReply,
  wait,
} from "../test/helpers.js";
import {
  BatchAbortError,
  BatchDeleteError,
  BatchHookError,
  BatchSourceError,
  BatchValidationError,
} from "./errors.js";
import { HALT_STATUSES } from "./index.js";

/** A source handing over `ids` (one by one or in batches), then throwing `error`. */
function failingSource(ids: string[], error: unknown, batch = 0) {
  return (async function* () {
    if (batch === 0) yield* ids;
    else for (let i = 0; i < ids.length; i += batch) yield ids.slice(i, i + batch);
    throw error;
  })();
}

describe("a source that fails mid-chunk", () => {
  it.each([
    ["one by one", 0],
    ["in batches", 3001],
  ])(
    "ids handed over %s before the failure are all in the report (none lost mid-chunk)",
    async (_, batch) => {
      const boom = new Error("disk on fire");
      const ids = range(25_001);
      const fetch = okFetch();
      const error = await caught<BatchSourceError>(() =>
        client({ fetch, concurrency: 2 }).deleteUsers(failingSource(ids, boom, batch)),
      );
      expect(error).toBeInstanceOf(BatchSourceError);
      expect(error.cause).toBe(boom);
      expect(Object.hasOwn(boom, "report")).toBe(false); // what the source threw is not decorated
      const report = error.report!;
      expectAccounted(report, fetch.calls, ids);
      expect(report.confirmed).toBe(20_000);
      expect(report.failedIds).toEqual(range(5001, 20_000));
      expect(report.failures).toEqual([
        expect.objectContaining({ chunk: 2, attempted: false, ids: range(5001, 20_000) }),
      ]);
      expect(report.complete).toBe(false);
      expect(report.stoppedBy).toMatchObject({
        reason: "source",
        error: { name: "BatchSourceError", message: expect.stringContaining(boom.message) },
      });
    },
  );

  it("an invalid id mid-chunk: the chunk's ids, read before and after it, are reported", async () => {
    const ids = [...range(25), "", ...range(4, 26)];
    const fetch = okFetch();
    const source = (async function* () {
      yield* ids;
    })();
    const error = await caught<BatchValidationError>(() =>
      client({ fetch, chunkSize: 10, concurrency: 1 }).deleteUsers(source),
    );
    expect(error).toBeInstanceOf(BatchValidationError);
    expect(error.message).toMatch(/position 25 is empty/);
    expectAccounted(error.report!, fetch.calls, ids.slice(0, 30));
    expect(error.report!.stoppedBy?.reason).toBe("source");
  });
});

describe("abort", () => {
  it("ids pulled from a stream before the abort are in the report, not attempted", async () => {
    const controller = new AbortController();
    const pulled: string[] = [];
    const source = (async function* () {
      for (const id of range(15_000)) {
        pulled.push(id);
        yield id;
      }
      await never(); // the source stalls with chunk 1 half read
    })();
    const fetch = fakeFetch((_, n) => (n === 1 ? never() : tokenReply(`t${n}`)));
    setTimeout(() => controller.abort(), 30);
    const error = await caught<BatchAbortError>(() =>
      client({ fetch, concurrency: 2 }).deleteUsers(source, { signal: controller.signal }),
    );
    expect(error).toBeInstanceOf(BatchAbortError);
    const report = error.report!;
    expect(pulled).toHaveLength(15_000);
    expectAccounted(report, fetch.calls, pulled);
    expect(report.failures.map((f) => [f.chunk, f.ids.length, f.attempted])).toEqual([
      [0, 10_000, true],
      [1, 5_000, false],
    ]);
    expect(report.stoppedBy).toMatchObject({ reason: "abort" });
  });

  it("an array's ids not yet read are in failedIds, not attempted", async () => {
    const controller = new AbortController();
    const fetch = fakeFetch((_, n) => {
      if (n === 2) setTimeout(() => controller.abort(), 5);
      return n === 1 ? tokenReply("t1") : never();
    });
    const ids = range(100);
    const error = await caught<BatchAbortError>(() =>
      client({ fetch, chunkSize: 10, concurrency: 1 }).deleteUsers(ids, {
        signal: controller.signal,
      }),
    );
    const report = error.report!;
    expectAccounted(report, fetch.calls, ids);
    expect(report.failedIds).toEqual(range(90, 10));
    expect(report.failures.filter((f) => f.attempted).map((f) => f.chunk)).toEqual([1]);
    expect(report.failures.filter((f) => !f.attempted).map((f) => f.chunk)).toEqual([
      2, 3, 4, 5, 6, 7, 8, 9,
    ]);
    expect(report.complete).toBe(true); // every id of the array is in the report
    expect(fetch.calls).toHaveLength(2);
  });
});

describe("hooks that throw", () => {
  const thrownValues: [string, () => unknown][] = [
    ["an Error", () => new Error("journal full")],
    ["a string", () => "journal full"],
  ];
  const hooks = ["onProgress", "skipChunk", "onChunk"] as const;
  const cases = hooks.flatMap((hook) =>
    (["once", "always"] as const).flatMap((how) =>
      thrownValues.map(([what, make]) => [hook, how, what, make] as const),
    ),
  );

  it.each(cases)(
    "%s throwing %s (%s): every id accounted, a BatchHookError with the report, nothing sent after",
    async (hook, how, _, make) => {
      const thrown = make();
      let calls = 0;
      const throwing = () => {
        calls++;
        // "once": the third call throws, so the run has started.
        if (how === "always" || calls === 3) throw thrown;
        return hook === "skipChunk" ? false : undefined;
      };
      const fetch = fakeFetch(async (_, n) => {
        await wait(1);
        return tokenReply(`t${n}`);
      });
      const ids = range(200);
      const source = (async function* () {
        yield* ids;
      })();
      const error = await caught<BatchHookError>(() =>
        client({ fetch, chunkSize: 10, concurrency: 2 }).deleteUsers(source, {
          [hook]: throwing,
        }),
      );
      expect(error).toBeInstanceOf(BatchHookError);
      expect(error.hook).toBe(hook);
      expect(error.cause).toBe(thrown);
      if (typeof thrown === "object") expect(Object.hasOwn(thrown as object, "report")).toBe(false);
      const report = error.report!;
      expect(report).toBeDefined();
      expectAccounted(report, fetch.calls, ids.slice(0, report.requested));
      expect(report.stoppedBy).toMatchObject({ reason: "hook" });
      expect(report.stoppedBy?.error?.name).toBe("BatchHookError");
      const callsAtRejection = fetch.calls.length;
      await wait(20);
      expect(fetch.calls.length).toBe(callsAtRejection);
      expect(callsAtRejection).toBeLessThan(20);
    },
  );

  it("a hook that throws after the last chunk still rejects with the complete report", async () => {
    const fetch = okFetch();
    let last = false;
    const error = await caught<BatchHookError>(() =>
      client({ fetch, chunkSize: 10 }).deleteUsers(range(20), {
        onProgress: ({ confirmed }) => {
          if (confirmed === 20 && !last) {
            last = true;
            throw new RangeError("progress bar");
          }
        },
      }),
    );
    expect(error).toBeInstanceOf(BatchHookError);
    expect(error.report).toMatchObject({ confirmed: 20, failed: 0, complete: true });
  });
});

describe("stopSignal: a graceful stop", () => {
  it("reads no more, sends no new call, lets calls in flight finish; the rest is not attempted", async () => {
    const stopper = new AbortController();
    const fetch = fakeFetch(async (_, n) => {
      if (n === 3) stopper.abort();
      await wait(10);
      return tokenReply(`t${n}`);
    });
    const ids = range(100);
    const error = await caught<BatchDeleteError>(() =>
      client({ fetch, chunkSize: 10, concurrency: 2 }).deleteUsers(ids, {
        stopSignal: stopper.signal,
      }),
    );
    expect(error).toBeInstanceOf(BatchDeleteError);
    expect(fetch.calls).toHaveLength(3); // the third call, in flight at the stop, finished
    const report = error.report;
    expectAccounted(report, fetch.calls, ids);
    expect(report.confirmed).toBe(30);
    expect(report.failures.every((f) => !f.attempted && f.error.name === "STOPPED")).toBe(true);
    expect(report.stoppedBy).toEqual({ reason: "stop" });
    expect(report.complete).toBe(true);
    expect(error.message).toMatch(/stopSignal/);
  });

  it("a stalled stream does not hold the stop back; the ids it handed over are reported", async () => {
    const stopper = new AbortController();
    const source = (async function* () {
      yield* range(15);
      await never();
    })();
    setTimeout(() => stopper.abort(), 20);
    const fetch = okFetch();
    const report = await client({ fetch, chunkSize: 10 }).deleteUsers(source, {
      stopSignal: stopper.signal,
      throwOnFailure: false,
    });
    expectAccounted(report, fetch.calls, range(15));
    expect(report).toMatchObject({ confirmed: 10, failed: 5, complete: false });
    expect(report.stoppedBy).toEqual({ reason: "stop" });
  });

  it("no new retry: a call waiting to retry ends at once with its last error", async () => {
    const stopper = new AbortController();
    const fetch = fakeFetch(() => {
      setTimeout(() => stopper.abort(), 20);
      return reply(503, { error_code: 2 }, { "Retry-After": "30" });
    });
    const started = performance.now();
    const error = await caught<BatchDeleteError>(() =>
      client({ fetch }).deleteUsers(["u1"], { stopSignal: stopper.signal }),
    );
    expect(performance.now() - started).toBeLessThan(3000);
    expect(fetch.calls).toHaveLength(1);
    expect(error.report.failures).toEqual([
      expect.objectContaining({
        attempted: true,
        error: expect.objectContaining({ name: "MAINTENANCE_ERROR", attempts: 1 }),
      }),
    ]);
    expect(error.report.stoppedBy).toEqual({ reason: "stop" });
  });

  it("an abort after a stop ends the calls in flight too, and names the abort", async () => {
    const stopper = new AbortController();
    const aborter = new AbortController();
    const fetch = fakeFetch(() => {
      setTimeout(() => stopper.abort(), 5);
      setTimeout(() => aborter.abort(), 20);
      return never();
    });
    const error = await caught<BatchAbortError>(() =>
      client({ fetch, chunkSize: 10 }).deleteUsers(range(30), {
        signal: aborter.signal,
        stopSignal: stopper.signal,
      }),
    );
    expect(error).toBeInstanceOf(BatchAbortError);
    expect(error.report!.stoppedBy?.reason).toBe("abort");
    expectAccounted(error.report!, fetch.calls, range(30));
  });

  it("an already stopped signal sends nothing and reports every id of an array", async () => {
    const fetch = okFetch();
    const report = await client({ fetch }).deleteUsers(range(5), {
      stopSignal: AbortSignal.abort(),
      throwOnFailure: false,
    });
    expect(fetch.calls).toHaveLength(0);
    expect(report).toMatchObject({ requested: 5, failed: 5, failedIds: range(5) });
  });
});

describe("halting answers", () => {
  it("HALT_STATUSES are 401, 403 and 404", () => {
    expect([...HALT_STATUSES]).toEqual([401, 403, 404]);
  });

  it.each([401, 403, 404, 307])(
    "%i halts a run: stoppedBy halt, nothing sent after, the rest not attempted",
    async (status) => {
      const fetch = fakeFetch(() =>
        status === 307
          ? new Response(null, { status, headers: { Location: "https://elsewhere.test/" } })
          : reply(status),
      );
      const error = await caught<BatchDeleteError>(() =>
        client({ fetch, chunkSize: 10, concurrency: 1 }).deleteUsers(range(50)),
      );
      expect(fetch.calls).toHaveLength(1);
      expect(error.report.stoppedBy).toMatchObject({ reason: "halt", error: { status } });
      expect(error.report.failures.slice(1).every((f) => !f.attempted)).toBe(true);
      expectAccounted(error.report, fetch.calls, range(50));
    },
  );
});

describe("a halt in one app, seen from the others", () => {
  it("what was not sent says it was not sent, and whose answer stopped the run", async () => {
    // App "ios" answers 401 (a wrong key); app "android" would have answered 200.
    const fetch = fakeFetch((call, n) =>
      call.url.includes(encodeURIComponent(API_KEY))
        ? reply(401, { error_code: 1 })
        : tokenReply(`t${n}`),
    );
    const error = await caught<BatchDeleteError>(() =>
      client({
        fetch,
        apiKey: { ios: API_KEY, android: ANDROID_KEY },
        chunkSize: 10,
        concurrency: 1,
      }).deleteUsers(range(30)),
    );
    const report = error.report;
    expect(report.stoppedBy).toMatchObject({ reason: "halt", error: { status: 401 } });
    const [answered, ...notSent] = report.failures;
    expect(answered).toMatchObject({ app: "ios", chunk: 0, attempted: true });
    expect(notSent.length).toBeGreaterThan(0);
    for (const failure of notSent) {
      expect(failure).toMatchObject({ attempted: false, error: { attempts: 0 } });
      // Not the ios call's answer as if this app had got it: a not-sent chunk says so, and
      // names the app whose answer stopped the run.
      expect(failure.error.message).toMatch(/^Not sent: the run stopped on app "ios"'s answer: /);
    }
    // A chunk counts as confirmed only once every app confirmed it: none here.
    expect(report).toMatchObject({ requested: 30, confirmed: 0, failed: 30 });
    expect(report.failedIds).toEqual(range(30));
  });
});

describe("the circuit breaker", () => {
  const dead = () => fakeFetch(() => reply(503, { error_code: 2 }));

  it("after maxConsecutiveFailures calls in a row exhaust their retries, the run stops", async () => {
    const fetch = dead();
    const ids = range(1000);
    const error = await caught<BatchDeleteError>(() =>
      client({ fetch, chunkSize: 10, concurrency: 2, retry: { ...FAST, retries: 1 } }).deleteUsers(
        ids,
        { maxConsecutiveFailures: 3 },
      ),
    );
    // 3 calls tripped it; the one in flight beside them ends at its next retry at the latest.
    expect(fetch.calls.length).toBeLessThanOrEqual(4 * 2);
    const report = error.report;
    expect(report.stoppedBy).toMatchObject({
      reason: "breaker",
      error: { name: "MAINTENANCE_ERROR", attempts: 2 },
    });
    expect(report.failures.filter((f) => !f.attempted).length).toBeGreaterThan(90);
    expectAccounted(report, fetch.calls, ids);
    expect(error.message).toMatch(/in a row/);
  });

  it("is on by default: a dead server stops the run long before every chunk was tried", async () => {
    const fetch = dead();
    const error = await caught<BatchDeleteError>(() =>
      client({ fetch, chunkSize: 10, retry: { ...FAST, retries: 2 } }).deleteUsers(range(10_000)),
    );
    expect(error.report.stoppedBy?.reason).toBe("breaker");
    expect(fetch.calls.length).toBeLessThanOrEqual((5 + 3) * 3);
  });

  it("a success in between resets the count; Infinity turns it off", async () => {
    // Every third chunk succeeds: never 3 failures in a row.
    const fetch = fakeFetch((call, n) =>
      Number(idsOf(call)[0]!.slice(1)) % 30 === 20 ? tokenReply(`t${n}`) : reply(500),
    );
    const c = client({ fetch, chunkSize: 10, concurrency: 1, retry: false });
    const report = await c.deleteUsers(range(120), {
      maxConsecutiveFailures: 3,
      throwOnFailure: false,
    });
    expect(report.stoppedBy).toBeUndefined();
    expect(report).toMatchObject({ confirmed: 40, failed: 80, complete: true });
    const off = await client({ fetch: dead(), chunkSize: 10, retry: false }).deleteUsers(
      range(100),
      { maxConsecutiveFailures: Number.POSITIVE_INFINITY, throwOnFailure: false },
    );
    expect(off.stoppedBy).toBeUndefined();
    expect(off.failures.every((f) => f.attempted)).toBe(true);
  });

  it.each([0, -1, 1.5, Number.NaN])(
    "maxConsecutiveFailures of %d is refused before anything is sent",
    async (value) => {
      const fetch = okFetch();
      const error = await caught(() =>
        client({ fetch }).deleteUsers(range(5), { maxConsecutiveFailures: value }),
      );
      expect(error).toBeInstanceOf(BatchValidationError);
      expect(error.message).toContain("maxConsecutiveFailures");
      expect(fetch.calls).toHaveLength(0);
    },
  );
});
