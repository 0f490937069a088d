import type { FetchLike } from "../src/send.js";
import { reply, tokenReply } from "./helpers.js";

export interface BucketCall {
  /** When the call arrived (ms, of the clock `Date.now` reads: a test's fake one). */
  readonly at: number;
  readonly status: number;
}

/**
 * A fetch behind a rate limit, like the emulator's (`rateLimit`): a token bucket of
 * `callsPerSecond` holding `burst` tokens (default one second's worth); a call that finds no
 * token gets a 429 with `Retry-After` in whole seconds (at least 1), as HTTP has it. Every
 * answer comes `latencyMs` after the call. Time is `Date.now` and `setTimeout`: under fake
 * timers, a run of minutes takes milliseconds and happens the same way every time.
 */
export function bucketFetch({
  callsPerSecond,
  burst = Math.max(1, Math.ceil(callsPerSecond)),
  latencyMs,
}: {
  callsPerSecond: number;
  burst?: number;
  latencyMs: number;
}): FetchLike & { calls: BucketCall[] } {
  const calls: BucketCall[] = [];
  let tokens = burst;
  let last = Date.now();
  const fetch: FetchLike = async () => {
    const now = Date.now();
    tokens = Math.min(burst, tokens + ((now - last) / 1000) * callsPerSecond);
    last = now;
    let answer: Response;
    if (tokens >= 1) {
      tokens -= 1;
      answer = tokenReply(`t${calls.length + 1}`);
    } else {
      const seconds = Math.max(1, Math.ceil((1 - tokens) / callsPerSecond));
      answer = reply(429, { error_code: 60 }, { "Retry-After": String(seconds) });
    }
    calls.push({ at: now, status: answer.status });
    await new Promise((resolve) => setTimeout(resolve, latencyMs));
    return answer;
  };
  return Object.assign(fetch, { calls });
}

/** Calls and 429s second by second, from the first call. */
export function perSecond(calls: readonly BucketCall[]): { calls: number; refused: number }[] {
  const start = calls[0]?.at ?? 0;
  const seconds: { calls: number; refused: number }[] = [];
  for (const { at, status } of calls) {
    const s = Math.floor((at - start) / 1000);
    for (let i = seconds.length; i <= s; i++) seconds.push({ calls: 0, refused: 0 });
    seconds[s]!.calls++;
    if (status === 429) seconds[s]!.refused++;
  }
  return seconds;
}
