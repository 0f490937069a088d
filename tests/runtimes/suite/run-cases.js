// Runs the cases one after another and returns plain, serialisable results: used where no
// test runner exists (workerd, Chromium). Node and Deno register each case with their own
// runner instead, through `withTimeout`.
import { describe } from "./assert.js";

/** Longest a case may take: they need well under a second, a runtime hang must not stall CI. */
export const CASE_TIMEOUT_MS = 15_000;

/**
 * Settles like `fn()` (a synchronous throw becomes a rejection), or rejects once `ms` have
 * passed; never leaves its timer behind (Deno's test sanitizer would flag it).
 */
export function withTimeout(fn, ms, name) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name}: no result within ${ms} ms`)), ms);
  });
  const run = Promise.resolve().then(fn);
  return Promise.race([run, timeout]).finally(() => clearTimeout(timer));
}

/** `{ passed, failed, results: [{ name, ok, ms, error? }] }` */
export async function runCases(cases, ctx, timeoutMs = CASE_TIMEOUT_MS) {
  const results = [];
  for (const { name, fn } of cases) {
    const started = Date.now();
    try {
      await withTimeout(() => fn(ctx), timeoutMs, name);
      results.push({ name, ok: true, ms: Date.now() - started });
    } catch (error) {
      results.push({ name, ok: false, ms: Date.now() - started, error: describe(error) });
    }
  }
  const passed = results.filter((r) => r.ok).length;
  return { passed, failed: results.length - passed, results };
}
