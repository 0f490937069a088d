/**
 * How fast a bulk run sends: how many chunks it lets be in flight at once (its window), and
 * when no call may start at all (a pause the server asked for). `bulk.ts` takes a turn in the
 * window before it reads a chunk and waits out a pause before it sends one; `send.ts` times
 * each attempt through `time`; `retry.ts` waits out a pause before a retry.
 *
 * One pace per run, shared by its apps: every chunk goes to every app and settles when all of
 * them have answered, so a run can move no faster than its slowest app, and one window keeps
 * the chunks held in memory bounded by it. A 429 from any app slows the run down.
 *
 * The rules (AIMD, as in TCP's congestion control, with the server's own word on top):
 *  1. The window starts at `ADAPTIVE_START` chunks (or `concurrency`, if lower) and stays
 *     from 1 to `concurrency`. Fixed (`adaptive: false`), it is `concurrency` throughout and
 *     only rule 8 applies.
 *  2. A 429 or a 503 halves it: the server says it is getting more than it takes.
 *  3. Once per round: a 429 or 503 to a call that started before the last halving does not
 *     halve it again (that call was sent into the same crowd).
 *  4. A success grows it: until the first halving by one chunk per chunk confirmed, so it
 *     doubles each round (slow start: the server's pace is found in a few rounds); after
 *     that, by one chunk per window's worth of chunks confirmed (one per round), and at most
 *     once every `GROWTH_INTERVAL_MS`: a rate limit answers in seconds (its bucket lets a
 *     burst through before it refuses, and `Retry-After` counts whole seconds), so a window
 *     grown every round would outrun its word and meet it again as a wave of 429s.
 *  5. Only while latency holds: a success more than twice as slow as the fastest one of the
 *     run (plus `JITTER_MS`) does not grow it. Calls queue somewhere; more of them would only
 *     queue longer. Nor does it shrink it: slow is not refused.
 *  6. Only while the window is in use: at least half of it (as it was when the call was sent)
 *     had a call in progress, this one included, when it was sent or when it was answered
 *     (TCP validates its window so, RFC 7661). A window the run does
 *     not fill (a source slower than the calls, chunks waiting out a Retry-After, the end of
 *     the input) proved nothing.
 *  7. Any other answer (a 400, a 500, a timeout, a network error) leaves the window as it is:
 *     retries deal with those, and the circuit breaker with a server that is down.
 *  8. A `Retry-After` on a retryable answer pauses the whole run: no call starts, a chunk's
 *     first or a retry, before it has passed (the latest one wins), so one 429 is not followed
 *     by a storm of calls from the other chunks in flight. A pause is never longer than a call
 *     would wait to be retried (`retry.maxElapsedMs`).
 */

/** Where an adaptive window starts: the chunks in flight of a fixed run by default, before. */
export const ADAPTIVE_START = 4;

/** Rule 4: after the first halving, the window grows at most once in this many ms. */
export const GROWTH_INTERVAL_MS = 1000;

/** Rule 5's allowance for a clock's and an event loop's noise, in ms. */
export const JITTER_MS = 10;

/** What the pace reads of an attempt's failure. */
interface Answer {
  readonly status?: number;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
}

export interface PaceOptions {
  /** The most chunks in flight (`concurrency`). */
  readonly ceiling: number;
  readonly adaptive: boolean;
  /** Calls per chunk (apps): a chunk confirmed grows the window by one, not by one per app. */
  readonly callsPerChunk: number;
  /** The longest pause (rule 8). */
  readonly maxPauseMs: number;
  /** Fires when the run stops: a turn waited for is then refused. */
  readonly stop: AbortSignal;
  /** The clock (tests pass their own). */
  readonly now?: () => number;
}

export class Pace {
  #window: number;
  /** Calls confirmed since the window last changed: what grows it (rule 4). */
  #credit = 0;
  #slowStart = true;
  /** When the window last changed (rule 4). */
  #changedAt = Number.NEGATIVE_INFINITY;
  /** Halvings so far: an attempt remembers the one it started under (rule 3). */
  #round = 0;
  #fastest = Number.POSITIVE_INFINITY;
  #inFlight = 0;
  /** Attempts in progress (rule 6). */
  #calls = 0;
  #pausedUntil = 0;
  readonly #waiting: (() => void)[] = [];
  readonly #options: Required<PaceOptions>;

  constructor(options: PaceOptions) {
    this.#options = { now: Date.now, ...options };
    const { ceiling, adaptive, stop } = this.#options;
    this.#window = adaptive ? Math.min(ADAPTIVE_START, ceiling) : ceiling;
    stop.addEventListener("abort", () => this.#wake(Number.POSITIVE_INFINITY), { once: true });
  }

  /** Chunks the run lets be in flight now. */
  get limit(): number {
    return this.#window;
  }

  /**
   * Takes a place in the window, once there is room: true, and `done` gives it back; false
   * once the run has stopped (no place taken).
   */
  async turn(): Promise<boolean> {
    const { stop } = this.#options;
    while (!stop.aborted && this.#inFlight >= this.limit) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
    if (stop.aborted) return false;
    this.#inFlight++;
    return true;
  }

  done(): void {
    this.#inFlight--;
    this.#wake(this.limit - this.#inFlight);
  }

  /** How long until a call may start (rule 8), in ms; 0 when none is paused. */
  held = (): number => Math.max(0, this.#pausedUntil - this.#options.now());

  /** Runs one attempt (which never throws) and applies the rules to what it got. */
  async time<T extends { value: unknown } | { failure: Answer }>(
    attempt: () => Promise<T>,
  ): Promise<T> {
    const { now, callsPerChunk } = this.#options;
    const { limit } = this;
    const round = this.#round;
    const started = now();
    const before = ++this.#calls;
    const outcome = await attempt();
    const used = 2 * Math.max(before, this.#calls--) >= limit * callsPerChunk;
    if ("failure" in outcome) this.#refused(outcome.failure, round);
    else if (used) this.#confirmed(now() - started);
    return outcome;
  }

  #refused({ status, retryable, retryAfterMs }: Answer, round: number): void {
    const { adaptive, maxPauseMs, now } = this.#options;
    if (retryable && retryAfterMs !== undefined) {
      const until = now() + Math.min(retryAfterMs, maxPauseMs);
      this.#pausedUntil = Math.max(this.#pausedUntil, until);
    }
    if (!adaptive || (status !== 429 && status !== 503) || round !== this.#round) return;
    this.#window = Math.max(1, Math.floor(this.#window / 2));
    this.#credit = 0;
    this.#changedAt = now();
    this.#round++;
    this.#slowStart = false;
  }

  #confirmed(ms: number): void {
    const { adaptive, ceiling, callsPerChunk, now } = this.#options;
    if (!adaptive) return;
    this.#fastest = Math.min(this.#fastest, ms);
    if (ms > 2 * this.#fastest + JITTER_MS) return;
    const needed = (this.#slowStart ? 1 : this.#window) * callsPerChunk;
    if (++this.#credit < needed || this.#window >= ceiling) return;
    // Credit kept: the first success once the interval is over grows it.
    if (!this.#slowStart && now() - this.#changedAt < GROWTH_INTERVAL_MS) return;
    this.#window++;
    this.#credit = 0;
    this.#changedAt = now();
    this.#wake(this.limit - this.#inFlight);
  }

  /** Lets up to `n` waiting turns look again. */
  #wake(n: number): void {
    for (; n > 0 && this.#waiting.length > 0; n--) this.#waiting.shift()!();
  }
}
