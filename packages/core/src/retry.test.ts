import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { caught } from "../test/helpers.js";
import { backoffDelay, DEFAULT_RETRY, NO_RETRY, type RetryPolicy, sleep } from "./retry.js";

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

describe("sleep", () => {
  it("resolves after the delay", async () => {
    const start = performance.now();
    await sleep(15);
    expect(performance.now() - start).toBeGreaterThanOrEqual(14);
  });

  it("rejects at once with the signal's reason when aborted while sleeping", async () => {
    const controller = new AbortController();
    const start = performance.now();
    setTimeout(() => controller.abort(new Error("stop")), 5);
    const error = await caught(() => sleep(60_000, controller.signal));
    expect(error.message).toBe("stop");
    expect(performance.now() - start).toBeLessThan(1000);
  });

  it("rejects without waiting when already aborted", async () => {
    const error = await caught(() => sleep(60_000, AbortSignal.abort(new Error("early"))));
    expect(error.message).toBe("early");
  });

  it("resolves normally with a signal that never fires", async () => {
    const controller = new AbortController();
    await expect(sleep(1, controller.signal)).resolves.toBeUndefined();
    controller.abort(); // after resolving: nothing left listening to reject anything
  });
});
