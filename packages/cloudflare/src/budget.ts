import { FREE_PLAN, QUEUE_LIMITS } from "./limits.js";

export interface PlanInput {
  /** Messages delivered in this batch, in order, by job: `jobs[i]` is message i's job. */
  readonly jobs: readonly string[];
  /** Apps the client deletes in (one bulk call per message and app). */
  readonly apps: number;
  /** Subrequests one invocation may make. Default 50 (free plan). */
  readonly subrequests?: number;
  /** Most retries inside the invocation, per call, when the budget allows them. Default 1. */
  readonly retries?: number;
  /** Subrequests kept for passing deferred messages back to the Queue, if any are. Default 0. */
  readonly deferralCalls?: number;
}

export interface Plan {
  /** How many of the batch's messages (the first ones) to process now; the rest are deferred. */
  readonly process: number;
  /** Retries per call inside this invocation (the rest go through the Queue, with a delay). */
  readonly retries: number;
  /** Distinct jobs among the processed messages: one state call each. */
  readonly jobs: number;
  /** The most subrequests the plan can make: process × apps × (1 + retries) + jobs
   *  (+ `deferralCalls` when it defers). */
  readonly worstCase: number;
}

/**
 * How much of a consumer batch fits one invocation's subrequest budget, retries included:
 * each processed message costs one call per app per attempt, and each job among them one call
 * to its Durable Object (the results, once). In-invocation retries are dropped first (a retry
 * through the Queue costs no subrequest and waits without holding the invocation); then
 * messages are deferred. Whatever the batch size and the number of apps, `worstCase` stays
 * within `subrequests` (when even one message cannot fit, `process` is 0).
 */
export function planInvocation(input: PlanInput): Plan {
  const { jobs, apps } = input;
  const budget = input.subrequests ?? FREE_PLAN.subrequests;
  const maxRetries = input.retries ?? 1;
  const deferral = input.deferralCalls ?? 0;
  const cost = (count: number, retries: number) => {
    const distinct = new Set(jobs.slice(0, count)).size;
    const defers = count < jobs.length ? deferral : 0;
    return { distinct, total: count * apps * (1 + retries) + distinct + defers };
  };
  for (let retries = maxRetries; retries >= 0; retries--) {
    // The most messages that fit with this many retries: costs grow with the count.
    let count = jobs.length;
    while (count > 0 && cost(count, retries).total > budget) count--;
    if (count === jobs.length || retries === 0) {
      const { distinct, total } = cost(count, retries);
      return { process: count, retries, jobs: distinct, worstCase: total };
    }
  }
  /* c8 ignore next */
  throw new Error("unreachable");
}

export interface RetryDelayOptions {
  /** First delay through the Queue, doubled each attempt. Default 10 s. */
  baseSeconds?: number;
  /** Longest delay. Default 3,600 s (the Queue allows 86,400). */
  maxSeconds?: number;
}

/**
 * Seconds before the Queue delivers a message again, after its `attempts`-th delivery failed:
 * exponential backoff with jitter (half fixed, half random, so a fleet of messages does not
 * come back in lockstep), never less than the server's `Retry-After`, within the Queue's limit.
 */
export function queueRetryDelay(
  attempts: number,
  retryAfterMs = 0,
  options: RetryDelayOptions = {},
  random = Math.random,
): number {
  const base = options.baseSeconds ?? 10;
  const max = Math.min(options.maxSeconds ?? 3_600, QUEUE_LIMITS.maxDelaySeconds);
  const ceiling = Math.min(max, base * 2 ** Math.max(0, attempts - 1));
  const backoff = ceiling / 2 + random() * (ceiling / 2);
  const floor = Math.ceil(retryAfterMs / 1000);
  return Math.min(QUEUE_LIMITS.maxDelaySeconds, Math.max(floor, Math.ceil(backoff)));
}
