import { API_KEY, prng, REST_KEY } from "@batch-custom-data/test-helpers";
import { expect } from "vitest";
import { createClient } from "../src/client.js";
import type { ClientOptions } from "../src/config.js";
import type { DeleteUsersReport } from "../src/report.js";
import type { FetchLike } from "../src/send.js";

// The workspace's test keys and leak-scan forms, re-exported beside the core's own helpers.
export {
  ANDROID_KEY,
  API_KEY,
  lowerHex,
  REST_KEY,
  SECRETS,
  secretForms,
  unicodeEscaped,
} from "@batch-custom-data/test-helpers";

/** Never contacted: fake fetches answer before any socket is opened. */
export const BASE = "http://127.0.0.1:9/1.0";
/** Tiny delays so retries cost milliseconds. */
export const FAST = { baseDelayMs: 1, maxDelayMs: 5 } as const;

export interface Call {
  readonly url: string;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly signal: AbortSignal;
  readonly redirect?: string;
  readonly at: number;
}

export type Responder = (call: Call, n: number) => Response | PromiseLike<Response>;

/** A fetch that records every call and answers with `respond` (n is 1-based). */
export function fakeFetch(respond: Responder): FetchLike & { calls: Call[] } {
  const calls: Call[] = [];
  const fetch: FetchLike = async (url, init) => {
    const call: Call = { url, ...init, at: performance.now() };
    calls.push(call);
    return respond(call, calls.length);
  };
  return Object.assign(fetch, { calls });
}

/** The bulk ids a recorded call carried. */
export const idsOf = (call: Call): string[] => JSON.parse(call.body ?? "null");

/** The ids of the calls the report confirms (tokens `t<n>` from `fakeFetch`'s n-th call). */
function confirmedIds(report: DeleteUsersReport, calls: readonly Call[]): string[] {
  return report.tokens.flatMap((t) => idsOf(calls[Number(t.token.slice(1)) - 1]!));
}

const sorted = (ids: readonly string[]) => ids.toSorted();

/**
 * The accounting every run must keep: counts add up, and the ids read are exactly the ids
 * confirmed plus the ids listed failed (no id lost, none invented, none both). Tokens must be
 * `fakeFetch`'s `t<n>` for its n-th call.
 */
export function expectAccounted(
  report: DeleteUsersReport,
  calls: readonly Call[],
  read: readonly string[],
) {
  const confirmed = confirmedIds(report, calls);
  expect(report.requested).toBe(read.length);
  expect(report.confirmed + report.failed + report.skipped).toBe(report.requested);
  expect(report.confirmed).toBe(confirmed.length);
  expect(sorted([...confirmed, ...report.failedIds])).toEqual(sorted(read));
  const once = new Set(confirmed);
  expect(report.failedIds.filter((id) => once.has(id))).toEqual([]);
}

/** A JSON answer (or a raw text one when `body` is a string). */
export function reply(status: number, body?: unknown, headers?: Record<string, string>): Response {
  const text = body === undefined ? null : typeof body === "string" ? body : JSON.stringify(body);
  return new Response(text, { status, headers });
}

export const tokenReply = (token: string) => reply(200, { token });

/** A fetch answering every call with a fresh token `t1`, `t2`, ... */
export const okFetch = () => fakeFetch((_, n) => tokenReply(`t${n}`));

export const never = () => new Promise<never>(() => {});

/** Resolves after `ms` (on fake timers, when the test advances them). */
export const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `n` ids `u{from}`, `u{from+1}`, … */
export const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `u${from + i}`);

export function client(options: Partial<ClientOptions> & { fetch?: FetchLike }) {
  return createClient({
    apiKey: API_KEY,
    restApiKey: REST_KEY,
    baseUrl: BASE,
    retry: FAST,
    ...options,
  });
}

/** Runs `fn` and returns what it threw (fails the test if it did not throw). */
export async function caught<T = Error>(fn: () => unknown): Promise<T> {
  try {
    await fn();
  } catch (error) {
    return error as T;
  }
  throw new Error("expected a rejection, got none");
}

/** `n` ids `u0..u{n-1}`, about 1 in 10 replaced by a duplicate of an earlier one. */
export function idList(n: number, seed: number): string[] {
  const random = prng(seed);
  const ids = new Array<string>(n);
  for (let i = 0; i < n; i++)
    ids[i] = i > 0 && random() < 0.1 ? ids[Math.floor(random() * i)]! : `u${i}`;
  return ids;
}

export type SourceKind = "array" | "set" | "sync" | "async";

/** The same ids as an array, a Set (which drops duplicates), a sync or an async generator. */
export function source(
  ids: readonly string[],
  kind: SourceKind,
): Iterable<string> | AsyncIterable<string> {
  switch (kind) {
    case "array":
      return [...ids];
    case "set":
      return new Set(ids);
    case "sync":
      return (function* () {
        yield* ids;
      })();
    case "async":
      return (async function* () {
        yield* ids;
      })();
  }
}

/** What a source yields, in order. */
export const expected = (ids: readonly string[], kind: SourceKind) =>
  kind === "set" ? [...new Set(ids)] : [...ids];

/**
 * Every string reachable from `value` through own properties (enumerable or not: `message`,
 * `stack`, `cause`), arrays, and nested objects.
 */
export function allStrings(value: unknown, seen = new Set<unknown>()): string[] {
  if (typeof value === "string") return [value];
  if (typeof value !== "object" || value === null || seen.has(value)) return [];
  seen.add(value);
  const out: string[] = [];
  for (const key of Reflect.ownKeys(value)) {
    if (typeof key === "string") out.push(key);
    const descriptor = Object.getOwnPropertyDescriptor(value, key);
    out.push(
      ...allStrings(descriptor && "value" in descriptor ? descriptor.value : undefined, seen),
    );
  }
  return out;
}
