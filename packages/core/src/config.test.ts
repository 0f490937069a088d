import { afterEach, describe, expect, it, vi } from "vitest";
import { caught, okFetch } from "../test/helpers.js";
import { createClient } from "./client.js";
import {
  type ClientOptions,
  DEFAULT_BASE_URL,
  DEFAULT_CONCURRENCY,
  resolveConfig,
} from "./config.js";
import { BatchValidationError } from "./errors.js";
import { DEFAULT_RETRY, NO_RETRY } from "./retry.js";

const APP = "AppKeyValue0001";
const OTHER = "AppKeyValue0002";
const REST = "RestKeyValue0003";
const good = { apiKey: APP, restApiKey: REST, fetch: okFetch() };

/** Bad options, the option the message must name, and values it must never show. */
const BAD: [string, unknown, RegExp][] = [
  ["no options at all", undefined, /apiKey is missing/],
  ["apiKey missing", { restApiKey: REST }, /apiKey is missing/],
  ["apiKey empty", { ...good, apiKey: "" }, /apiKey is missing/],
  ["apiKey a number", { ...good, apiKey: 5 }, /apiKey is missing/],
  ["apiKey an empty array", { ...good, apiKey: [] }, /apiKey lists no app key/],
  ["apiKey an empty object", { ...good, apiKey: {} }, /apiKey lists no app key/],
  ["apiKey with a space", { ...good, apiKey: `${APP} x` }, /apiKey holds whitespace/],
  ["apiKey with a newline", { ...good, apiKey: `${APP}\n` }, /apiKey holds whitespace/],
  ["apiKey with a NUL", { ...good, apiKey: `${APP}\0` }, /apiKey holds whitespace, a control/],
  ["apiKey with a curly quote", { ...good, apiKey: `${APP}’` }, /apiKey holds .*non-ASCII/],
  ["restApiKey non-ASCII", { ...good, restApiKey: `${REST}é` }, /restApiKey holds .*non-ASCII/],
  [
    "a named apiKey empty",
    { ...good, apiKey: { ios: APP, android: "" } },
    /apiKey "android" is missing/,
  ],
  [
    "a listed apiKey with a tab",
    { ...good, apiKey: [APP, `\t${OTHER}`] },
    /apiKey "1" holds whitespace/,
  ],
  ["duplicate keys in an array", { ...good, apiKey: [APP, APP] }, /apiKey lists a key twice/],
  [
    "duplicate keys in an object",
    { ...good, apiKey: { ios: APP, android: APP } },
    /apiKey lists a key twice/,
  ],
  ["restApiKey missing", { ...good, restApiKey: undefined }, /restApiKey is missing/],
  ["restApiKey empty", { ...good, restApiKey: "" }, /restApiKey is missing/],
  ["restApiKey with a space", { ...good, restApiKey: ` ${REST}` }, /restApiKey holds whitespace/],
  [
    "baseUrl not a URL",
    { ...good, baseUrl: "api.batch.com/1.0" },
    /baseUrl must be an http\(s\) URL/,
  ],
  ["baseUrl ftp:", { ...good, baseUrl: "ftp://127.0.0.1/1.0" }, /baseUrl must be an http\(s\) URL/],
  [
    "baseUrl with credentials",
    { ...good, baseUrl: `http://u:${REST}@127.0.0.1/1.0` },
    /baseUrl .*without credentials/,
  ],
  ["baseUrl with a user", { ...good, baseUrl: `http://${APP}@127.0.0.1/1.0` }, /baseUrl/],
  ["baseUrl with a query", { ...good, baseUrl: "http://127.0.0.1/1.0?x=1" }, /baseUrl .*query/],
  ["baseUrl with an empty query", { ...good, baseUrl: "http://127.0.0.1/1.0?" }, /baseUrl/],
  [
    "baseUrl with a fragment",
    { ...good, baseUrl: "http://127.0.0.1/1.0#top" },
    /baseUrl .*fragment/,
  ],
  ["chunkSize 0", { ...good, chunkSize: 0 }, /chunkSize must be an integer from 1 to 10000/],
  [
    "chunkSize 10001",
    { ...good, chunkSize: 10_001 },
    /chunkSize must be an integer from 1 to 10000/,
  ],
  ["chunkSize 1.5", { ...good, chunkSize: 1.5 }, /chunkSize/],
  ["chunkSize a string", { ...good, chunkSize: "100" }, /chunkSize/],
  ["concurrency 0", { ...good, concurrency: 0 }, /concurrency must be an integer from 1 to 256/],
  ["concurrency -1", { ...good, concurrency: -1 }, /concurrency/],
  ["concurrency 257", { ...good, concurrency: 257 }, /concurrency/],
  ["concurrency NaN", { ...good, concurrency: Number.NaN }, /concurrency/],
  ["adaptive a string", { ...good, adaptive: "false" }, /adaptive must be true or false/],
  ["timeoutMs 0", { ...good, timeoutMs: 0 }, /timeoutMs must be a number of ms > 0/],
  ["timeoutMs -1", { ...good, timeoutMs: -1 }, /timeoutMs/],
  ["timeoutMs NaN", { ...good, timeoutMs: Number.NaN }, /timeoutMs/],
  [
    "retry.retries negative",
    { ...good, retry: { retries: -1 } },
    /retry\.retries must be a number ≥ 0/,
  ],
  ["retry.baseDelayMs negative", { ...good, retry: { baseDelayMs: -5 } }, /retry\.baseDelayMs/],
  ["retry.maxDelayMs NaN", { ...good, retry: { maxDelayMs: Number.NaN } }, /retry\.maxDelayMs/],
  ["retry.maxElapsedMs negative", { ...good, retry: { maxElapsedMs: -1 } }, /retry\.maxElapsedMs/],
  ["fetch not a function", { ...good, fetch: "fetch" }, /fetch must be a function/],
  ["fetch an object", { ...good, fetch: {} }, /fetch must be a function/],
];

describe("createClient validates every option up front", () => {
  it.each(BAD)("%s", (_, options, message) => {
    let error: unknown;
    try {
      createClient(options as ClientOptions);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(BatchValidationError);
    const { message: text, name } = error as BatchValidationError;
    expect(name).toBe("BatchValidationError");
    expect(text).toMatch(/^createClient: /);
    expect(text).toMatch(message);
    for (const secret of [APP, OTHER, REST]) {
      expect(text).not.toContain(secret);
      expect(JSON.stringify(error)).not.toContain(secret);
      expect(String((error as Error).stack)).not.toContain(secret);
    }
  });

  describe("without a global fetch", () => {
    afterEach(() => vi.unstubAllGlobals());

    it("asks for one", () => {
      vi.stubGlobal("fetch", undefined);
      expect(() => createClient({ apiKey: APP, restApiKey: REST })).toThrow(
        /fetch must be a function \(pass one: this runtime has none\)/,
      );
      expect(() => createClient({ ...good })).not.toThrow();
    });
  });
});

describe("resolveConfig: what valid options become", () => {
  it("applies documented defaults", () => {
    const config = resolveConfig({ apiKey: APP, restApiKey: REST });
    expect(config.baseUrl).toBe(DEFAULT_BASE_URL);
    expect(DEFAULT_BASE_URL).toBe("https://api.batch.com/1.0");
    expect(config.apps).toEqual([{ label: "0", key: APP }]);
    expect(config.concurrency).toBe(16);
    expect(DEFAULT_CONCURRENCY).toBe(16);
    expect(config.adaptive).toBe(true);
    expect(config.chunkSize).toBe(10_000);
    expect(config.transport.timeoutMs).toBe(30_000);
    expect(config.transport.retry).toEqual(DEFAULT_RETRY);
    expect(typeof config.transport.fetch).toBe("function");
  });

  it("labels apps by name or by index, never by key", () => {
    expect(resolveConfig({ ...good, apiKey: { ios: APP, android: OTHER } }).apps).toEqual([
      { label: "ios", key: APP },
      { label: "android", key: OTHER },
    ]);
    expect(resolveConfig({ ...good, apiKey: [APP, OTHER] }).apps.map((a) => a.label)).toEqual([
      "0",
      "1",
    ]);
  });

  it("merges a partial retry policy over the defaults; false means no retries", () => {
    expect(resolveConfig({ ...good, retry: { retries: 2 } }).transport.retry).toEqual({
      ...DEFAULT_RETRY,
      retries: 2,
    });
    expect(resolveConfig({ ...good, retry: false }).transport.retry).toEqual(NO_RETRY);
  });

  it("drops undefined before merging over the defaults, at every level", () => {
    const config = resolveConfig({
      ...good,
      baseUrl: undefined,
      timeoutMs: undefined,
      retry: { retries: undefined, baseDelayMs: 7, maxDelayMs: undefined },
      concurrency: undefined,
      adaptive: undefined,
      chunkSize: undefined,
      maxConsecutiveFailures: undefined,
    });
    expect(config.transport.retry).toEqual({ ...DEFAULT_RETRY, baseDelayMs: 7 });
    expect(config).toMatchObject({
      baseUrl: "https://api.batch.com/1.0",
      concurrency: 16,
      adaptive: true,
    });
    expect(config.transport.timeoutMs).toBe(30_000);
  });

  it.each([
    ["https://api.batch.com/1.0/", "https://api.batch.com/1.0"],
    ["http://127.0.0.1:8080/1.0", "http://127.0.0.1:8080/1.0"],
    ["http://127.0.0.1:8080", "http://127.0.0.1:8080"],
    ["http://[::1]:8080/1.0///", "http://[::1]:8080/1.0"],
  ])("normalises baseUrl %s", (baseUrl, normalised) => {
    expect(resolveConfig({ ...good, baseUrl }).baseUrl).toBe(normalised);
  });

  it("accepts every limit's edge", () => {
    const config = resolveConfig({ ...good, chunkSize: 1, concurrency: 256, timeoutMs: 1 });
    expect([config.chunkSize, config.concurrency]).toEqual([1, 256]);
    expect(resolveConfig({ ...good, chunkSize: 10_000, concurrency: 1 }).chunkSize).toBe(10_000);
    expect(
      resolveConfig({ ...good, retry: { retries: 0, baseDelayMs: 0 } }).transport.retry.retries,
    ).toBe(0);
  });

  it("looks the global fetch up at call time, so a later replacement is honoured", async () => {
    const replacement = okFetch();
    const c = createClient({ apiKey: APP, restApiKey: REST });
    vi.stubGlobal("fetch", replacement);
    try {
      expect((await c.deleteUser("u1")).token).toBe("t1");
    } finally {
      vi.unstubAllGlobals();
    }
    expect(replacement.calls).toHaveLength(1);
  });

  it("throws the same way for a bad apiKey whatever the other options", async () => {
    const error = await caught<BatchValidationError>(() =>
      createClient({ apiKey: " ", restApiKey: REST, chunkSize: 0 }),
    );
    expect(error.message).toMatch(/apiKey/);
  });
});
