// The pace's rules one by one (pace.ts numbers them), on a clock the test moves by hand: every
// latency and every pause is exact.
import { describe, expect, it } from "vitest";
import { ADAPTIVE_START, GROWTH_INTERVAL_MS, JITTER_MS, Pace, type PaceOptions } from "./pace.js";

type Outcome = { value: string } | { failure: Failure };
interface Failure {
  status?: number;
  retryable: boolean;
  retryAfterMs?: number;
}

const OK: Outcome = { value: "token" };
const answer = (status: number, retryAfterMs?: number): Outcome => ({
  failure: { status, retryable: status === 429 || status >= 500, retryAfterMs },
});
const NETWORK: Outcome = { failure: { retryable: true } };

function setup(options: Partial<PaceOptions> = {}) {
  let now = 0;
  const stopper = new AbortController();
  const pace = new Pace({
    ceiling: 16,
    adaptive: true,
    callsPerChunk: 1,
    maxPauseMs: 120_000,
    stop: stopper.signal,
    now: () => now,
    ...options,
  });
  /** Starts an attempt now; `end(outcome, ms)` answers it `ms` after it started. */
  const start = () => {
    const started = now;
    let settle: (outcome: Outcome) => void = () => {};
    const timed = pace.time(() => new Promise<Outcome>((resolve) => (settle = resolve)));
    return {
      end: async (outcome: Outcome, ms = 50) => {
        now = Math.max(now, started + ms);
        settle(outcome);
        return timed;
      },
    };
  };
  /** A chunk: a turn taken, one call answered `ms` later, the turn given back. */
  const chunk = async (outcome: Outcome, ms = 50) => {
    expect(await pace.turn()).toBe(true);
    await start().end(outcome, ms);
    pace.done();
  };
  /** A full window of chunks in flight at once, all answered alike (one round). */
  const round = async (outcome: Outcome, ms = 50) => {
    const n = pace.limit;
    for (let i = 0; i < n; i++) expect(await pace.turn()).toBe(true);
    const calls = Array.from({ length: n }, start);
    for (const call of calls) await call.end(outcome, ms);
    for (let i = 0; i < n; i++) pace.done();
  };
  const tick = (ms: number) => {
    now += ms;
  };
  return { pace, start, chunk, round, tick, stopper };
}

describe("pace: the window (rules 1 to 7)", () => {
  it("1. starts at ADAPTIVE_START (or the ceiling if lower); fixed, at the ceiling", () => {
    expect(ADAPTIVE_START).toBe(4);
    expect(setup().pace.limit).toBe(4);
    expect(setup({ ceiling: 3 }).pace.limit).toBe(3);
    expect(setup({ ceiling: 1 }).pace.limit).toBe(1);
    expect(setup({ adaptive: false }).pace.limit).toBe(16);
  });

  it("1. never grows past the ceiling, never shrinks below 1", async () => {
    const { pace, round } = setup({ ceiling: 6 });
    for (let i = 0; i < 10; i++) await round(OK);
    expect(pace.limit).toBe(6);
    for (let i = 0; i < 10; i++) await round(answer(429));
    expect(pace.limit).toBe(1);
  });

  it.each([429, 503])("2. a %i halves it", async (status) => {
    const { pace, round, chunk } = setup();
    await round(OK);
    await round(OK);
    expect(pace.limit).toBe(16);
    await chunk(answer(status));
    expect(pace.limit).toBe(8);
    await chunk(answer(status));
    expect(pace.limit).toBe(4);
  });

  it("3. once per round: calls sent before a halving do not halve it again", async () => {
    const { pace, start, chunk } = setup();
    const inFlight = [start(), start(), start(), start()];
    for (const call of inFlight) await call.end(answer(429));
    expect(pace.limit).toBe(2); // four 429s, one halving
    await chunk(answer(429)); // sent after it: a new round
    expect(pace.limit).toBe(1);
  });

  it("4. slow start doubles it each round until the first halving", async () => {
    const { pace, round } = setup({ ceiling: 64 });
    const limits = [pace.limit];
    for (let i = 0; i < 4; i++) {
      await round(OK);
      limits.push(pace.limit);
    }
    expect(limits).toEqual([4, 8, 16, 32, 64]);
  });

  it("4. after a halving it grows by one per round (a window's worth of chunks)", async () => {
    const { pace, round, chunk, tick } = setup();
    await round(OK); // 8
    await chunk(answer(429)); // 4, slow start over
    const limits = [pace.limit];
    for (let i = 0; i < 4; i++) {
      tick(GROWTH_INTERVAL_MS);
      await round(OK);
      limits.push(pace.limit);
    }
    expect(limits).toEqual([4, 5, 6, 7, 8]);
  });

  it("4. after a halving it grows at most once every GROWTH_INTERVAL_MS", async () => {
    expect(GROWTH_INTERVAL_MS).toBe(1000);
    const { pace, round, chunk, tick } = setup();
    await round(OK); // 8
    await chunk(answer(429)); // 4 at t = 100 ms
    for (let i = 0; i < 10; i++) await round(OK, 50); // 10 rounds in 500 ms: too soon
    expect(pace.limit).toBe(4);
    tick(GROWTH_INTERVAL_MS - 500); // a second after the halving
    await round(OK, 0);
    expect(pace.limit).toBe(5);
    await round(OK, 0); // the same instant: too soon again
    expect(pace.limit).toBe(5);
  });

  it("4. with two apps a chunk counts once: two confirmed calls grow it by one", async () => {
    const { pace, start } = setup({ callsPerChunk: 2 });
    for (let i = 0; i < 4; i++) expect(await pace.turn()).toBe(true);
    const calls = Array.from({ length: 8 }, start); // 4 chunks × 2 apps
    for (const call of calls) await call.end(OK);
    expect(pace.limit).toBe(8);
  });

  it("5. a success more than twice as slow as the fastest (plus JITTER_MS) does not grow it", async () => {
    const { pace, round } = setup();
    await round(OK, 100); // fastest 100 ms: 4 → 8
    await round(OK, 2 * 100 + JITTER_MS + 1); // slower: held
    expect(pace.limit).toBe(8);
    await round(OK, 2 * 100 + JITTER_MS); // within: grows
    expect(pace.limit).toBe(16);
  });

  it("5. a slow success does not shrink it either, and a faster one lowers the bar", async () => {
    const { pace, round } = setup({ ceiling: 64 });
    await round(OK, 400);
    await round(OK, 5_000);
    expect(pace.limit).toBe(8);
    await round(OK, 10);
    await round(OK, 400); // now far slower than the fastest (10 ms): held
    expect(pace.limit).toBe(16);
  });

  it("6. a window the run does not fill is not grown", async () => {
    const { pace, chunk } = setup();
    for (let i = 0; i < 20; i++) await chunk(OK); // one chunk at a time, window 4
    expect(pace.limit).toBe(4);
  });

  it.each([
    ["a 400", answer(400)],
    ["a 500", answer(500)],
    ["a 502", answer(502)],
    ["a network error or a timeout", NETWORK],
  ])("7. %s leaves it as it is", async (_, outcome) => {
    const { pace, round } = setup();
    for (let i = 0; i < 5; i++) await round(outcome);
    expect(pace.limit).toBe(4);
  });

  it("fixed: neither a 429 nor a success changes it", async () => {
    const { pace, round, chunk } = setup({ adaptive: false, ceiling: 5 });
    await chunk(answer(429));
    await round(OK);
    await chunk(answer(503));
    expect(pace.limit).toBe(5);
  });
});

describe("pace: turns", () => {
  it("no more turns than the window; one given back lets the next one in", async () => {
    const { pace } = setup();
    for (let i = 0; i < 4; i++) expect(await pace.turn()).toBe(true);
    let fifth: boolean | undefined;
    void pace.turn().then((granted) => {
      fifth = granted;
    });
    await Promise.resolve();
    expect(fifth).toBeUndefined();
    pace.done();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(fifth).toBe(true);
  });

  it("a window grown lets waiting turns in at once", async () => {
    const { pace, start } = setup();
    for (let i = 0; i < 4; i++) expect(await pace.turn()).toBe(true);
    const waiting = Array.from({ length: 4 }, () => pace.turn());
    const calls = Array.from({ length: 4 }, start);
    for (const call of calls) await call.end(OK); // window 8, nothing given back yet
    expect(await Promise.all(waiting)).toEqual([true, true, true, true]);
  });

  it("the run's stop refuses waiting turns and later ones", async () => {
    const { pace, stopper } = setup();
    for (let i = 0; i < 4; i++) expect(await pace.turn()).toBe(true);
    const waiting = [pace.turn(), pace.turn()];
    stopper.abort();
    expect(await Promise.all(waiting)).toEqual([false, false]);
    expect(await pace.turn()).toBe(false);
  });
});

describe("pace: Retry-After pauses the whole run (rule 8)", () => {
  it("a 429 with Retry-After holds every call until it has passed; the latest wins", async () => {
    const { pace, start, tick } = setup();
    expect(pace.held()).toBe(0);
    const a = start();
    const b = start();
    await a.end(answer(429, 1000), 20); // at 20 ms: paused until 1,020
    expect(pace.held()).toBe(1000);
    await b.end(answer(429, 2000), 30); // at 30 ms: until 2,030
    expect(pace.held()).toBe(2000);
    tick(1500);
    expect(pace.held()).toBe(500);
    tick(500);
    expect(pace.held()).toBe(0);
  });

  it("an earlier end does not shorten a pause", async () => {
    const { pace, start } = setup();
    await start().end(answer(503, 5000), 0);
    await start().end(answer(429, 1000), 0);
    expect(pace.held()).toBe(5000);
  });

  it("is never longer than maxPauseMs", async () => {
    const { pace, start } = setup({ maxPauseMs: 30_000 });
    await start().end(answer(429, 3_600_000), 0);
    expect(pace.held()).toBe(30_000);
  });

  it("applies to a fixed run too", async () => {
    const { pace, start } = setup({ adaptive: false });
    await start().end(answer(429, 1000), 0);
    expect(pace.held()).toBe(1000);
  });

  it("a Retry-After on an answer that is not retried (a 400) pauses nothing", async () => {
    const { pace, start } = setup();
    await start().end({ failure: { status: 400, retryable: false, retryAfterMs: 9000 } }, 0);
    expect(pace.held()).toBe(0);
  });
});
