import assert from "node:assert/strict";
import { type Stop, untilStopped } from "./stop.ts";

function fakeStop() {
  const { promise, resolve } = Promise.withResolvers<void>();
  let stopped = false;
  const stop: Stop = {
    get stopped() {
      return stopped;
    },
    signal: new AbortController().signal,
    whenStopped: promise,
    exitCode: 130,
    reason: "interrupted by SIGINT",
    dispose() {},
  };
  return {
    stop,
    fire: () => {
      stopped = true;
      resolve();
    },
  };
}

Deno.test("untilStopped passes everything through until the stop", async () => {
  const { stop } = fakeStop();
  const seen: number[] = [];
  async function* numbers() {
    yield* [1, 2, 3];
  }
  for await (const n of untilStopped(numbers(), stop)) seen.push(n);
  assert.deepEqual(seen, [1, 2, 3]);
});

Deno.test("a read waiting for input (stdin) ends at the stop instead of hanging", async () => {
  const { stop, fire } = fakeStop();
  let returned = false;
  const { promise: never } = Promise.withResolvers<IteratorResult<string[]>>();
  const waiting: AsyncIterable<string[]> = {
    [Symbol.asyncIterator]: () => ({
      next: () => never,
      return: () => {
        returned = true;
        return Promise.resolve({ done: true, value: undefined });
      },
    }),
  };
  const it = untilStopped(waiting, stop)[Symbol.asyncIterator]();
  const next = it.next();
  fire();
  assert.deepEqual(await next, { done: true, value: undefined });
  assert.deepEqual(await it.next(), { done: true, value: undefined });
  assert.equal(returned, true, "the input is let go");
});
