/**
 * What the emulator answered, second by second: calls, accepted calls and ids, errors, and
 * 429s, so a benchmark can plot calls per second and rate limiting over time without polling.
 * Only seconds with traffic are kept, the last `limit` of them.
 */

export interface TimelineSecond {
  /** The second (ms since the epoch, of the emulator's clock, rounded down to a second). */
  readonly at: number;
  /** Calls that arrived in this second. */
  requests: number;
  /** 200 answers. */
  accepted: number;
  idsAccepted: number;
  /** Error answers (4xx and 5xx, faults included) and calls left unanswered. */
  errors: number;
  /** 429 answers, from the rate limit or a `tooManyRequests` fault. */
  tooManyRequests: number;
  /** 429 answers from the rate limit alone. */
  rateLimited: number;
}

export class Timeline {
  #seconds: TimelineSecond[] = [];
  readonly limit: number;

  constructor(limit = 3600) {
    this.limit = limit;
  }

  /** The bucket for a call at `now` (created on first use). */
  at(now: number): TimelineSecond {
    const at = Math.floor(now / 1000) * 1000;
    const seconds = this.#seconds;
    // Almost always the last one; a clock that went back finds its own, or starts another.
    for (let i = seconds.length - 1; i >= 0 && i >= seconds.length - 4; i--) {
      if (seconds[i]!.at === at) return seconds[i]!;
    }
    const second: TimelineSecond = {
      at,
      requests: 0,
      accepted: 0,
      idsAccepted: 0,
      errors: 0,
      tooManyRequests: 0,
      rateLimited: 0,
    };
    seconds.push(second);
    if (seconds.length > this.limit) seconds.splice(0, seconds.length - this.limit);
    return second;
  }

  /** Copies, oldest first. */
  seconds(): TimelineSecond[] {
    return this.#seconds.map((s) => ({ ...s }));
  }

  clear(): void {
    this.#seconds = [];
  }
}
