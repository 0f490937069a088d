import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { planInvocation, queueRetryDelay } from "./budget.js";

const same = (count: number, job = "j") => Array.from({ length: count }, () => job);

describe("planInvocation", () => {
  it("keeps one retry inside the invocation when a batch fits with it (README, Budgets)", () => {
    // The defaults: batches of 10, 2 apps, one job: 10 × 2 × 2 + 1 = 41.
    expect(planInvocation({ jobs: same(10), apps: 2 })).toEqual({
      process: 10,
      retries: 1,
      jobs: 1,
      worstCase: 41,
    });
    // Ten jobs in one batch: 10 × 2 × 2 + 10 = 50, still within the budget.
    const ten = Array.from({ length: 10 }, (_, i) => `j${i}`);
    expect(planInvocation({ jobs: ten, apps: 2 })).toMatchObject({
      process: 10,
      retries: 1,
      worstCase: 50,
    });
  });

  it("drops the retries before deferring messages", () => {
    // 3 apps: 10 × 3 × 2 + 1 = 61 > 50, but 10 × 3 + 1 = 31 fits.
    expect(planInvocation({ jobs: same(10), apps: 3 })).toEqual({
      process: 10,
      retries: 0,
      jobs: 1,
      worstCase: 31,
    });
  });

  it("defers what does not fit even without retries, keeping room to pass it back", () => {
    expect(planInvocation({ jobs: same(100), apps: 3, deferralCalls: 1 })).toEqual({
      process: 16,
      retries: 0,
      jobs: 1,
      worstCase: 50,
    });
    // More apps than the budget has room for: nothing is processed.
    expect(planInvocation({ jobs: same(5), apps: 60 }).process).toBe(0);
    // The paid plan's budget.
    expect(planInvocation({ jobs: same(100), apps: 3, subrequests: 10_000 })).toMatchObject({
      process: 100,
      retries: 1,
    });
  });

  it("never plans past the budget, whatever the batch, apps, jobs and budget", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom("a", "b", "c", "d", "e"), { minLength: 0, maxLength: 100 }),
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 1, max: 1_000 }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 2 }),
        (jobs, apps, subrequests, retries, deferralCalls) => {
          const plan = planInvocation({ jobs, apps, subrequests, retries, deferralCalls });
          const distinct = new Set(jobs.slice(0, plan.process)).size;
          const defers = plan.process < jobs.length ? deferralCalls : 0;
          expect(plan.worstCase).toBe(plan.process * apps * (1 + plan.retries) + distinct + defers);
          if (plan.process > 0) expect(plan.worstCase).toBeLessThanOrEqual(subrequests);
          // As much as fits: one more message would not.
          if (plan.process < jobs.length && plan.retries === 0) {
            const more = new Set(jobs.slice(0, plan.process + 1)).size;
            const extra = plan.process + 1 < jobs.length ? deferralCalls : 0;
            expect((plan.process + 1) * apps + more + extra).toBeGreaterThan(subrequests);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("queueRetryDelay", () => {
  it("backs off exponentially with jitter, within the maximum", () => {
    expect(queueRetryDelay(1, 0, {}, () => 0)).toBe(5);
    expect(queueRetryDelay(1, 0, {}, () => 1)).toBe(10);
    expect(queueRetryDelay(3, 0, {}, () => 1)).toBe(40);
    expect(queueRetryDelay(20, 0, {}, () => 1)).toBe(3_600);
    expect(queueRetryDelay(2, 0, { baseSeconds: 1 }, () => 0)).toBe(1);
  });

  it("never waits less than Retry-After, nor more than the Queue allows", () => {
    expect(queueRetryDelay(1, 120_000, {}, () => 0)).toBe(120);
    expect(queueRetryDelay(1, 1_500, { baseSeconds: 1 }, () => 0)).toBe(2);
    expect(queueRetryDelay(1, 10 * 86_400_000)).toBe(86_400);
    expect(queueRetryDelay(1, 0, { maxSeconds: 999_999 }, () => 1)).toBe(10);
  });
});
