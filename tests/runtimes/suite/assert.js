// A minimal assert, so the suite needs nothing that only one runtime has (node:assert,
// Deno's std, vitest's expect): every runner sees a plain thrown Error.

export class AssertionError extends Error {
  name = "AssertionError";
}

export function ok(value, message = "expected a truthy value") {
  if (!value) throw new AssertionError(message);
}

export function equal(actual, expected, what = "value") {
  if (!Object.is(actual, expected)) {
    throw new AssertionError(`${what}: expected ${show(expected)}, got ${show(actual)}`);
  }
}

/** Structural equality through JSON: enough for the plain data the client returns. */
export function deepEqual(actual, expected, what = "value") {
  const [a, e] = [JSON.stringify(actual), JSON.stringify(expected)];
  if (a !== e) throw new AssertionError(`${what}: expected ${e}, got ${a}`);
}

/** Awaits `promise`, which must reject; returns what it rejected with. */
export async function rejects(promise, what = "the call") {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new AssertionError(`${what} resolved, but should have rejected`);
}

/** Calls `fn`, which must throw synchronously; returns what it threw. */
export function throws(fn, what = "the call") {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new AssertionError(`${what} returned, but should have thrown`);
}

/** `error` is an instance of `Class` and has every field of `fields`. */
export function isError(error, Class, fields = {}) {
  if (!(error instanceof Class)) {
    throw new AssertionError(`expected a ${Class.name}, got ${describe(error)}`);
  }
  has(error, fields, "error");
}

/** `object` has every field of `fields` (compared with `Object.is`). */
export function has(object, fields, what = "object") {
  ok(object && typeof object === "object", `${what}: expected an object, got ${show(object)}`);
  for (const [key, value] of Object.entries(fields)) equal(object[key], value, `${what}.${key}`);
}

export function describe(value) {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  return show(value);
}

function show(value) {
  try {
    return typeof value === "string" ? JSON.stringify(value) : String(JSON.stringify(value));
  } catch {
    return String(value);
  }
}
