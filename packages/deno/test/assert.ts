/**
 * The few assertions the tests use, named as in `@std/assert` (JSR is not reachable from
 * these machines, so they sit on Deno's built-in `node:assert`).
 */
import nodeAssert from "node:assert/strict";

export function assert(condition: unknown, message?: string): asserts condition {
  nodeAssert.ok(condition, message);
}

export function assertEquals<T>(actual: T, expected: T, message?: string): void {
  nodeAssert.deepEqual(actual, expected, message);
}

export function assertMatch(actual: string, expected: RegExp, message?: string): void {
  nodeAssert.match(actual, expected, message);
}

/** Runs `fn`, asserts it throws an instance of `type`, and returns what it threw. */
export function assertThrows<E extends Error>(
  fn: () => unknown,
  type: abstract new (...args: never[]) => E,
): E {
  try {
    fn();
  } catch (error) {
    nodeAssert.ok(error instanceof type, `expected ${type.name}, got ${error}`);
    return error as E;
  }
  throw new nodeAssert.AssertionError({ message: `expected ${type.name} to be thrown` });
}

/** Like `assertThrows`, for a promise. */
export async function assertRejects<E extends Error>(
  fn: () => Promise<unknown>,
  type: abstract new (...args: never[]) => E,
): Promise<E> {
  try {
    await fn();
  } catch (error) {
    nodeAssert.ok(error instanceof type, `expected ${type.name}, got ${error}`);
    return error as E;
  }
  throw new nodeAssert.AssertionError({ message: `expected ${type.name} to be thrown` });
}
