import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  backoffDelay,
  DEFAULT_RETRY,
  NO_RETRY,
  pause,
  type RetryPolicy,
  retrying,
} from "./retry.js";

const policy = (baseDelayMs: number, maxDelayMs: number): RetryPolicy => ({
  ...DEFAULT_RETRY,
  baseDelayMs,
  maxDelayMs,
});

describe("backoffDelay", () => {
  it("has documented defaults", () => {
    expect(DEFAULT_RETRY).toEqual({
      retries: 5,
      baseDelayMs: 500,
      maxDelayMs: 30_000,
      maxElapsedMs: 120_000,
    });
    expect(NO_RETRY.retries).toBe(0);
  });

  it("doubles the ceiling each retry, up to maxDelayMs (full jitter: random × ceiling)", () => {
    const almostOne = () => 0.999_999;
    const p = policy(100, 1000);
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(p, n, 0, almostOne))).toEqual([
      99, 199, 399, 799, 999, 999,
    ]);
    expect(backoffDelay(p, 3, 0, () => 0.5)).toBe(200);
    expect(backoffDelay(p, 3, 0, () => 0)).toBe(0);
  });

  it("treats Retry-After as a floor, never shortened", () => {
    expect(backoffDelay(policy(100, 1000), 1, 5000, () => 0.5)).toBe(5000);
    expect(backoffDelay(policy(100, 1000), 4, 300, () => 0.5)).toBe(400);
    expect(backoffDelay(policy(100, 1000), 4, 300, () => 0)).toBe(300);
  });

  it("uses Math.random by default, within bounds", () => {
    for (let i = 0; i < 200; i++) {
      const delay = backoffDelay(policy(10, 1000), 3);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(40);
    }
  });

  it("property: 0 ≤ delay ≤ min(max, base·2^(n-1)) without Retry-After, ≥ Retry-After with it", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 120_000 }),
        fc.integer({ min: 1, max: 64 }),
        fc.option(fc.integer({ min: 0, max: 200_000 }), { nil: undefined }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (base, max, n, retryAfter, r) => {
          const ceiling = Math.min(max, base * 2 ** (n - 1));
          const delay = backoffDelay(policy(base, max), n, retryAfter, () => r);
          expect(Number.isInteger(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeGreaterThanOrEqual(retryAfter ?? 0);
          expect(delay).toBeLessThanOrEqual(Math.max(retryAfter ?? 0, ceiling));
          if (!retryAfter) expect(delay).toBeLessThanOrEqual(ceiling);
          if (ceiling > 0 && !retryAfter) expect(delay).toBeLessThan(ceiling);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe("pause", () => {
  it("resolves after the delay", async () => {
    const start = performance.now();
    expect(await pause(15)).toBe("slept");
    expect(performance.now() - start).toBeGreaterThanOrEqual(14);
  });

  it.each(["abort", "stop"] as const)("ends at once when %s fires while waiting", async (which) => {
    const controller = new AbortController();
    const start = performance.now();
    setTimeout(() => controller.abort(), 5);
    const signals = which === "abort" ? [controller.signal] : [undefined, controller.signal];
    expect(await pause(60_000, ...signals)).toBe(which);
    expect(performance.now() - start).toBeLessThan(1000);
  });

  it("does not wait when already aborted or stopped (abort first)", async () => {
    expect(await pause(60_000, AbortSignal.abort(), AbortSignal.abort())).toBe("abort");
    expect(await pause(60_000, undefined, AbortSignal.abort())).toBe("stop");
  });

  it("an abort that fires the stop on its way (as a bulk run's does) ends it as an abort", async () => {
    const aborter = new AbortController();
    const stopper = new AbortController();
    aborter.signal.addEventListener("abort", () => stopper.abort());
    setTimeout(() => aborter.abort(), 5);
    expect(await pause(60_000, aborter.signal, stopper.signal)).toBe("abort");
  });

  it("leaves nothing listening once it has slept", async () => {
    const controller = new AbortController();
    expect(await pause(1, controller.signal, controller.signal)).toBe("slept");
    controller.abort(); // after resolving: nothing left to resolve twice
  });
});

describe("retrying", () => {
  const failure = (retryable: boolean, retryAfterMs?: number) => ({ retryable, retryAfterMs });
  const aborted = () => failure(false);
  const fast = { ...DEFAULT_RETRY, baseDelayMs: 1, maxDelayMs: 2 };

  it("retries a retryable failure until it succeeds", async () => {
    let n = 0;
    const tried = await retrying(
      fast,
      async () => (++n < 3 ? { failure: failure(true) } : { value: "ok" }),
      { aborted },
    );
    expect(tried).toEqual({ value: "ok", attempts: 3 });
  });

  it("a final failure ends at once; exhausted only when retries ran out on a retryable one", async () => {
    const once = await retrying(fast, async () => ({ failure: failure(false) }), { aborted });
    expect(once).toMatchObject({ attempts: 1, exhausted: false });
    const spent = await retrying(
      { ...fast, retries: 2 },
      async () => ({ failure: failure(true) }),
      { aborted },
    );
    expect(spent).toMatchObject({ attempts: 3, exhausted: true });
  });

  it("hold: a retry also waits out a pause of the whole run, as long as it lasts", async () => {
    let until = performance.now() + 40;
    let n = 0;
    const starts: number[] = [];
    const tried = await retrying(
      fast,
      async () => {
        starts.push(performance.now());
        // The first failure's pause is extended once while the retry waits.
        if (++n === 1) setTimeout(() => (until += 30), 20);
        return n < 2 ? { failure: failure(true) } : { value: "ok" };
      },
      { aborted, hold: () => Math.max(0, until - performance.now()) },
    );
    expect(tried).toEqual({ value: "ok", attempts: 2 });
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(65);
    const stop = AbortSignal.timeout(10);
    const stopped = await retrying(fast, async () => ({ failure: failure(true) }), {
      stop,
      aborted,
      hold: () => 60_000,
    });
    expect(stopped).toMatchObject({ attempts: 1, exhausted: false });
  });

  it("a stop ends the wait with the last failure, not exhausted; an abort with the abort's", async () => {
    const last = failure(true, 60_000);
    const stop = AbortSignal.timeout(5);
    const stopped = await retrying(fast, async () => ({ failure: last }), { stop, aborted });
    expect(stopped).toEqual({ failure: last, attempts: 1, exhausted: false });
    const abort = AbortSignal.timeout(5);
    const cut = await retrying(fast, async () => ({ failure: last }), { abort, aborted });
    expect(cut).toEqual({ failure: failure(false), attempts: 1, exhausted: false });
    const before = await retrying(fast, async () => ({ value: 1 }), {
      abort: AbortSignal.abort(),
      aborted,
    });
    expect(before).toMatchObject({ attempts: 0 });
  });
});
