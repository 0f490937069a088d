// The pace in a deleteUsers run, on fake timers: calls take a set time, a Retry-After of
// seconds passes in microseconds, and every run happens the same way each time.
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type BucketCall, bucketFetch, perSecond } from "../test/bucket.js";
import {
  ANDROID_KEY,
  API_KEY,
  caught,
  client,
  expectAccounted,
  FAST,
  fakeFetch,
  idsOf,
  range,
  reply,
  tokenReply,
  wait,
} from "../test/helpers.js";
import type { BatchAbortError, BatchDeleteError } from "./errors.js";

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date", "performance"] });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Settles `run` on the fake clock, moving it on until the run is over. */
async function virtually<T>(run: () => Promise<T>): Promise<T> {
  let settled: { value: T } | { error: unknown } | undefined;
  run().then(
    (value) => (settled = { value }),
    (error) => (settled = { error }),
  );
  while (!settled) await vi.advanceTimersByTimeAsync(25);
  if ("error" in settled) throw settled.error;
  return settled.value;
}

/** How many calls started at each instant, in order. */
const startsByInstant = (calls: readonly { at: number }[]) => {
  const counts = new Map<number, number>();
  for (const { at } of calls) counts.set(at, (counts.get(at) ?? 0) + 1);
  return [...counts.values()];
};

/** A fetch answering every call `ms` later: a token, or what `answer` says for call n. */
function slowFetch(ms: number, answer?: (n: number, key: string) => Response | undefined) {
  let inFlight = 0;
  let most = 0;
  const fetch = fakeFetch(async (call, n) => {
    most = Math.max(most, ++inFlight);
    await wait(ms);
    inFlight--;
    return answer?.(n, decodeURIComponent(call.url.split("/")[4]!)) ?? tokenReply(`t${n}`);
  });
  return Object.assign(fetch, { most: () => most });
}

const tooMany = (seconds: number) =>
  reply(429, { error_code: 60 }, { "Retry-After": String(seconds) });

describe("deleteUsers: adaptive concurrency (the default)", () => {
  it("starts with 4 calls, doubles each round while answers are good, up to concurrency", async () => {
    const fetch = slowFetch(50);
    const seen: number[] = [];
    const report = await virtually(() =>
      client({ fetch, chunkSize: 1 }).deleteUsers(range(200), {
        onProgress: (p) => seen.push(p.concurrency),
      }),
    );
    expect(report.confirmed).toBe(200);
    expect(startsByInstant(fetch.calls).slice(0, 4)).toEqual([4, 8, 16, 16]);
    expect(fetch.most()).toBe(16);
    expect(seen[0]).toBe(4);
    expect(seen.at(-1)).toBe(16);
  });

  it("adaptive: false sends `concurrency` chunks at once from the first call", async () => {
    const fetch = slowFetch(50);
    await virtually(() =>
      client({ fetch, chunkSize: 1, adaptive: false, concurrency: 6 }).deleteUsers(range(60)),
    );
    expect(startsByInstant(fetch.calls)).toEqual(Array(10).fill(6));
  });

  it("per call, adaptive and concurrency override the client's", async () => {
    const fetch = slowFetch(50);
    await virtually(() =>
      client({ fetch, chunkSize: 1, adaptive: false, concurrency: 6 }).deleteUsers(range(30), {
        adaptive: true,
        concurrency: 8,
      }),
    );
    expect(startsByInstant(fetch.calls).slice(0, 3)).toEqual([4, 8, 8]);
  });

  it("a window the source does not fill is not grown (a slow stream)", async () => {
    const fetch = slowFetch(10);
    const trickle = (async function* () {
      for (const id of range(40)) {
        await wait(50); // slower than the calls: one chunk in flight at a time
        yield id;
      }
    })();
    const seen: number[] = [];
    await virtually(() =>
      client({ fetch, chunkSize: 1 }).deleteUsers(trickle, {
        onProgress: (p) => seen.push(p.concurrency),
      }),
    );
    expect(new Set(seen)).toEqual(new Set([4]));
  });

  it("stops growing when latency does not hold (calls queue at the server)", async () => {
    // A server that handles one call at a time, 20 ms each: the more in flight, the slower.
    let busyUntil = 0;
    const fetch = fakeFetch(async (_, n) => {
      busyUntil = Math.max(busyUntil, Date.now()) + 20;
      await wait(busyUntil - Date.now());
      return tokenReply(`t${n}`);
    });
    const seen: number[] = [];
    await virtually(() =>
      client({ fetch, chunkSize: 1, concurrency: 64 }).deleteUsers(range(400), {
        onProgress: (p) => seen.push(p.concurrency),
      }),
    );
    expect(Math.max(...seen)).toBeLessThan(16);
  });
});

describe("deleteUsers: Retry-After pauses the whole run", () => {
  it("after a 429 with Retry-After, no chunk's call starts until it has passed", async () => {
    const fetch = slowFetch(50, (n) => (n === 2 ? tooMany(2) : undefined));
    const report = await virtually(() => client({ fetch, chunkSize: 1 }).deleteUsers(range(40)));
    expectAccounted(report, fetch.calls, range(40));
    expect(report.confirmed).toBe(40);
    const t0 = fetch.calls[0]!.at;
    const answered = t0 + 50; // the 429's answer
    const starts = fetch.calls.map((call) => call.at - t0);
    expect(starts.filter((at) => at > 50 && at < 2050)).toEqual([]);
    expect(starts.filter((at) => at === 50).length).toBeLessThanOrEqual(4);
    expect(fetch.calls.filter((call) => call.at === answered + 2000).length).toBeGreaterThan(0);
    // Halved at the 429 (slow start is over): never the 8 that a good round would have given.
    expect(fetch.most()).toBeLessThan(8);
  });

  it("in a fixed run too", async () => {
    const fetch = slowFetch(50, (n) => (n === 1 ? tooMany(1) : undefined));
    await virtually(() =>
      client({ fetch, chunkSize: 1, adaptive: false, concurrency: 4 }).deleteUsers(range(20)),
    );
    const starts = fetch.calls.map((call) => call.at - fetch.calls[0]!.at);
    expect(starts.filter((at) => at > 50 && at < 1050)).toEqual([]);
    expect(startsByInstant(fetch.calls)[0]).toBe(4);
  });

  it("with two apps, one app's 429 pauses the other's calls too", async () => {
    const fetch = slowFetch(50, (n, key) =>
      n === 2 && key === ANDROID_KEY ? tooMany(1) : undefined,
    );
    const report = await virtually(() =>
      client({ fetch, chunkSize: 1, apiKey: { ios: API_KEY, android: ANDROID_KEY } }).deleteUsers(
        range(20),
      ),
    );
    expect(fetch.calls[1]!.url).toContain(encodeURIComponent(ANDROID_KEY));
    const starts = fetch.calls.map((call) => call.at - fetch.calls[0]!.at);
    expect(starts.filter((at) => at > 50 && at < 1050)).toEqual([]);
    expect(report).toMatchObject({ confirmed: 20, calls: 40 });
    expect(startsByInstant(fetch.calls)[0]).toBe(8); // 4 chunks × 2 apps
  });

  it("a graceful stop during a pause ends it at once: waiting chunks not attempted, the 429 kept", async () => {
    const stopper = new AbortController();
    const fetch = slowFetch(50, (n) => (n === 1 ? tooMany(30) : undefined));
    setTimeout(() => stopper.abort(), 1000);
    const ids = range(100);
    const error = await virtually(() =>
      caught<BatchDeleteError>(() =>
        client({ fetch, chunkSize: 10 }).deleteUsers(ids, { stopSignal: stopper.signal }),
      ),
    );
    const { report } = error;
    expect(report.durationMs).toBeLessThan(1100);
    expectAccounted(report, fetch.calls, ids);
    expect(report.failures.find((f) => f.chunk === 0)).toMatchObject({
      chunk: 0,
      attempted: true,
      error: { name: "TOO_MANY_REQUESTS", attempts: 1 },
    });
    const others = report.failures.filter((f) => f.chunk !== 0);
    expect(others.length).toBeGreaterThan(0);
    expect(others.every((f) => !f.attempted && f.error.name === "STOPPED")).toBe(true);
    expect(report.confirmed).toBe(30); // the 3 others of the first round
    expect(report.stoppedBy).toEqual({ reason: "stop" });
  });

  it("an abort during a pause ends it at once, every id accounted", async () => {
    const aborter = new AbortController();
    const fetch = slowFetch(50, (n) => (n === 1 ? tooMany(30) : undefined));
    setTimeout(() => aborter.abort(), 1000);
    const ids = range(100);
    const error = await virtually(() =>
      caught<BatchAbortError>(() =>
        client({ fetch, chunkSize: 10 }).deleteUsers(ids, { signal: aborter.signal }),
      ),
    );
    const report = error.report!;
    expect(error.name).toBe("BatchAbortError");
    expect(report.durationMs).toBeLessThan(1100);
    expectAccounted(report, fetch.calls, ids);
    expect(report.failures.find((f) => f.chunk === 0)).toMatchObject({
      chunk: 0,
      attempted: true,
      error: { name: "BatchAbortError" },
    });
    expect(report.stoppedBy?.reason).toBe("abort");
  });
});

describe("deleteUsers against a rate limit (a token bucket, 429 with Retry-After)", () => {
  /** 600 calls against 20 calls/s, 50 ms each: the allowed pace is 30 s. */
  async function run(options: { adaptive?: boolean; concurrency?: number }) {
    const fetch = bucketFetch({ callsPerSecond: 20, latencyMs: 50 });
    const report = await virtually(() =>
      client({
        fetch,
        chunkSize: 1,
        retry: { ...FAST, retries: 20, maxElapsedMs: 600_000 },
        ...options,
      }).deleteUsers(range(600)),
    );
    const refused = (calls: readonly BucketCall[]) => calls.filter((c) => c.status === 429).length;
    return { report, seconds: perSecond(fetch.calls), refused: refused(fetch.calls) };
  }

  it("adaptive: converges near the allowed rate without a storm of 429s; fixed 16 storms", async () => {
    const adaptive = await run({});
    expect(adaptive.report.confirmed).toBe(600);
    // Near the allowed rate: within 10% of the 30 s that 20 calls/s allow.
    expect(adaptive.report.durationMs).toBeLessThan(33_000);
    // The first seconds find the limit (slow start overshoots once); then at most 2 a second.
    expect(adaptive.seconds.slice(5).every((s) => s.refused <= 2)).toBe(true);
    expect(adaptive.refused).toBeLessThan(0.1 * 600);

    const fixed = await run({ adaptive: false, concurrency: 16 });
    expect(fixed.report.confirmed).toBe(600);
    expect(fixed.refused).toBeGreaterThan(5 * adaptive.refused);
    expect(fixed.seconds.slice(5).some((s) => s.refused >= 10)).toBe(true);
  }, 30_000);
});

describe("deleteUsers: every id accounted, whatever the answers (property)", () => {
  const answers = [200, 200, 200, 200, 429, 503, 500, 400] as const;

  it("random answers and latencies, adaptive or fixed: the report is exact, the ceiling and every pause kept", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: 60 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 8 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 2 }),
        fc.array(fc.tuple(fc.constantFrom(...answers), fc.integer({ min: 0, max: 80 })), {
          minLength: 1,
          maxLength: 50,
        }),
        async (n, chunkSize, concurrency, adaptive, retries, script) => {
          let inFlight = 0;
          let most = 0;
          const pauses: [number, number][] = [];
          const fetch = fakeFetch(async (_, k) => {
            const [status, ms] = script[(k - 1) % script.length]!;
            most = Math.max(most, ++inFlight);
            await wait(ms);
            inFlight--;
            if (status === 200) return tokenReply(`t${k}`);
            // On the clock fakeFetch stamps calls with (the fake performance.now).
            const now = performance.now();
            if (status === 429) pauses.push([now, now + 1000]);
            return status === 429 ? tooMany(1) : reply(status);
          });
          const ids = range(n);
          const report = await virtually(() =>
            client({
              fetch,
              chunkSize,
              concurrency,
              adaptive,
              retry: { ...FAST, retries },
            }).deleteUsers(ids, { throwOnFailure: false, maxConsecutiveFailures: Infinity }),
          );
          expectAccounted(report, fetch.calls, ids);
          expect(report.complete).toBe(true);
          expect(report.calls).toBe(report.tokens.length + report.failures.length);
          expect(most).toBeLessThanOrEqual(concurrency);
          for (const [from, to] of pauses)
            expect(fetch.calls.filter((c) => c.at > from && c.at < to)).toEqual([]);
          expect(fetch.calls.every((c) => idsOf(c).length <= chunkSize)).toBe(true);
        },
      ),
      { numRuns: 80 },
    );
  }, 60_000);
});
