import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normalizeRateLimit, TokenBucket } from "./rate-limit.js";

describe("TokenBucket", () => {
  it("lets `burst` calls through at once, then one per 1/rate seconds", () => {
    const bucket = new TokenBucket({ callsPerSecond: 10, burst: 3 }, 0);
    expect([0, 0, 0, 0].map((t) => bucket.take(t).ok)).toEqual([true, true, true, false]);
    expect(bucket.take(99).ok).toBe(false);
    expect(bucket.take(100).ok).toBe(true);
    expect(bucket.take(100)).toEqual({ ok: false, retryAfterSeconds: 1 });
  });

  it("does not refill when the clock goes back", () => {
    const bucket = new TokenBucket({ callsPerSecond: 1, burst: 1 }, 10_000);
    expect(bucket.take(10_000).ok).toBe(true);
    expect(bucket.take(5_000).ok).toBe(false);
    expect(bucket.take(10_999).ok).toBe(false);
    expect(bucket.take(11_000).ok).toBe(true);
  });

  it("never lets more than burst + rate × elapsed calls through", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.1, max: 1000, noNaN: true }),
        fc.integer({ min: 1, max: 50 }),
        fc.array(fc.integer({ min: 0, max: 2000 }), { minLength: 1, maxLength: 200 }),
        (rate, burst, gaps) => {
          const bucket = new TokenBucket({ callsPerSecond: rate, burst }, 0);
          let t = 0;
          let passed = 0;
          for (const gap of gaps) {
            t += gap;
            const decision = bucket.take(t);
            if (decision.ok) passed++;
            else expect(decision.retryAfterSeconds).toBeGreaterThanOrEqual(1);
            expect(passed).toBeLessThanOrEqual(burst + (rate * t) / 1000 + 1e-9);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("normalizeRateLimit", () => {
  it("defaults the burst to one second's worth, at least 1", () => {
    expect(normalizeRateLimit(50)).toEqual({ callsPerSecond: 50, burst: 50 });
    expect(normalizeRateLimit(2.5)).toEqual({ callsPerSecond: 2.5, burst: 3 });
    expect(normalizeRateLimit({ callsPerSecond: 0.2 })).toEqual({ callsPerSecond: 0.2, burst: 1 });
    expect(normalizeRateLimit({ callsPerSecond: 5, burst: 2 })).toEqual({
      callsPerSecond: 5,
      burst: 2,
    });
  });
});
