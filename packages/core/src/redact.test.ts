import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ANDROID_KEY,
  API_KEY,
  allStrings,
  BASE,
  caught,
  client,
  FAST,
  fakeFetch,
  lowerHex,
  never,
  REST_KEY,
  reply,
  SECRETS,
  secretForms,
  tokenReply,
  unicodeEscaped,
} from "../test/helpers.js";
import { createClient } from "./client.js";
import {
  BatchAbortError,
  type BatchApiError,
  BatchDeleteError,
  BatchError,
  BatchNetworkError,
  BatchTimeoutError,
  BatchValidationError,
} from "./errors.js";
import { createRedactor } from "./redact.js";
import type { FetchLike } from "./send.js";

describe("createRedactor", () => {
  it("replaces every key, raw and percent-encoded, with ***", () => {
    const redact = createRedactor(["k/1", "rest"]);
    expect(redact("url /1.0/k%2F1/data and k/1, rest, rest")).toBe(
      "url /1.0/***/data and ***, ***, ***",
    );
  });

  it("replaces a key that holds another whole (longest first)", () => {
    const redact = createRedactor(["abc", "abcdef"]);
    expect(redact("x abcdef y abc")).toBe("x *** y ***");
  });

  it("stringifies what it is given", () => {
    expect(createRedactor(["s3cret"])(undefined)).toBe("undefined");
    expect(createRedactor(["s3cret"])(new Error("s3cret!"))).toBe("Error: ***!");
  });
});

describe("createRedactor: every encoding a key can take", () => {
  const RESERVED = [..."!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"];
  const ALNUM = [..."abcXYZ0189"];
  /** A key as createClient accepts it: printable ASCII, here rich in reserved characters. */
  const key = fc
    .array(fc.constantFrom(...RESERVED, ...ALNUM), { minLength: 8, maxLength: 40 })
    .map((chars) => chars.join(""));
  const hex = (c: string) => c.charCodeAt(0).toString(16).padStart(2, "0");
  /** Ways one character can be written; each server picks its own, even one per character. */
  const ENCODINGS: ((c: string) => string)[] = [
    (c) => c,
    (c) => `%${hex(c).toUpperCase()}`,
    (c) => `%${hex(c)}`,
    (c) => `%25${hex(c).toUpperCase()}`,
    (c) => `\\u00${hex(c)}`,
    (c) => `\\u00${hex(c).toUpperCase()}`,
    (c) => (c === "/" || c === '"' || c === "\\" ? `\\${c}` : c),
    (c) => `&#${c.charCodeAt(0)};`,
    (c) => `&#x${hex(c)};`,
    (c) => (c === "+" ? " " : c),
  ];
  const WHOLE: ((k: string) => string)[] = [
    encodeURIComponent,
    (k) => lowerHex(encodeURIComponent(k)),
    encodeURI,
    (k) => new URLSearchParams({ k }).toString().slice(2),
    (k) => JSON.stringify(k).slice(1, -1),
    (k) => JSON.stringify(JSON.stringify(k).slice(1, -1)).slice(1, -1),
    (k) => JSON.stringify(k).slice(1, -1).replaceAll("/", "\\/"),
    unicodeEscaped,
  ];

  it("property: a key written with any mix of per-character encodings is redacted", () => {
    fc.assert(
      fc.property(
        key,
        fc.array(fc.nat(ENCODINGS.length - 1), { minLength: 40, maxLength: 40 }),
        fc.string({ maxLength: 20 }),
        (secret, picks, around) => {
          const written = [...secret].map((c, i) => ENCODINGS[picks[i]!]!(c)).join("");
          const out = createRedactor([secret, "0ther-Key"])(`${around}${written}${around}`);
          expect(out).not.toContain(written);
          expect(out).toContain("***");
        },
      ),
      { numRuns: 500 },
    );
  });

  it("property: a key in any whole-string encoding is redacted, however it is cut around", () => {
    fc.assert(
      fc.property(key, fc.nat(WHOLE.length - 1), (secret, pick) => {
        const written = WHOLE[pick]!(secret);
        const out = createRedactor([secret])(`url /1.0/${written}/data "${written}"`);
        expect(out).not.toContain(written);
        expect(out).toBe('url /1.0/***/data "***"');
      }),
      { numRuns: 500 },
    );
  });

  it("leaves text without a key as it is", () => {
    const redact = createRedactor(["Live+AppKey/9f2c=Sx7Qw", "Rest_Secret-7Hk2Vb9Nq3"]);
    const text = 'HTTP 400: {"error":"bad id %2F in Live AppKey"} &amp; 9f2c';
    expect(redact(text)).toBe(text);
  });
});

/** What a careless server might say back: the keys it was sent (only the client's keys can be known). */
const echo = `key ${API_KEY} / ${encodeURIComponent(API_KEY)} rest ${REST_KEY}`;
const echoAll = `${echo} android ${ANDROID_KEY} / ${encodeURIComponent(ANDROID_KEY)}`;
const urlOf = (url: string) => `error sending request for url (${url}): client error (Connect)`;

/** A failing call for each kind of error the client can throw. */
const FAILURES: [string, () => Promise<unknown>][] = [
  [
    "401 whose error_message echoes both keys",
    () =>
      client({
        fetch: fakeFetch(() => reply(401, { error_code: 10, error_message: echo })),
      }).deleteUser("u1"),
  ],
  [
    "401 whose message echoes the keys, bulk",
    () =>
      client({ fetch: fakeFetch(() => reply(401, { message: echo })) }).deleteUsers(["u1", "u2"]),
  ],
  [
    "a key straddling the 300-character cut of a server message",
    () =>
      client({
        fetch: fakeFetch(() =>
          reply(400, { error_message: `${"x".repeat(290)}${API_KEY}${REST_KEY}` }),
        ),
      }).deleteUser("u1"),
  ],
  [
    "a network error quoting the full URL (Deno)",
    () =>
      client({
        retry: { ...FAST, retries: 1 },
        fetch: (url) => {
          throw new TypeError(urlOf(url), {
            cause: Object.assign(new Error(`connect to ${url} with ${REST_KEY}`), {
              code: "ECONNREFUSED",
            }),
          });
        },
      }).deleteUser("u1"),
  ],
  [
    "a timeout",
    () => client({ fetch: fakeFetch(never), timeoutMs: 5, retry: false }).deleteUser("u1"),
  ],
  [
    "an abort",
    () => client({ fetch: fakeFetch(never) }).deleteUser("u1", { signal: AbortSignal.timeout(5) }),
  ],
  [
    "an abort of a bulk run",
    () =>
      client({ fetch: fakeFetch(never), chunkSize: 1 }).deleteUsers(["u1", "u2"], {
        signal: AbortSignal.timeout(5),
      }),
  ],
  [
    "a 500 echoing the keys in every encoding (lowercase %xx, JSON escapes, form encoding)",
    () =>
      client({
        retry: false,
        fetch: fakeFetch(() =>
          reply(500, {
            error_message: [API_KEY, REST_KEY].flatMap(secretForms).join(" | "),
          }),
        ),
      }).deleteUser("u1"),
  ],
  ["an invalid id", async () => client({ fetch: fakeFetch(never) }).deleteUser("")],
  [
    "a bad key in the config",
    async () => createClient({ apiKey: `${API_KEY} `, restApiKey: REST_KEY }),
  ],
  [
    "duplicate keys in the config",
    async () => createClient({ apiKey: [API_KEY, API_KEY], restApiKey: REST_KEY }),
  ],
  [
    "a BatchDeleteError with a report, the server echoing the keys",
    () =>
      client({
        apiKey: { ios: API_KEY, android: ANDROID_KEY },
        chunkSize: 2,
        retry: { ...FAST, retries: 1 },
        fetch: fakeFetch((call, n) =>
          call.url.includes(encodeURIComponent(ANDROID_KEY))
            ? reply(500, { error_message: echoAll })
            : tokenReply(`t${n}`),
        ),
      }).deleteUsers(["a", "b", "c"]),
  ],
  [
    "a multi-app deleteUser with one app failing (results)",
    () =>
      client({
        apiKey: [API_KEY, ANDROID_KEY],
        fetch: fakeFetch((call) =>
          call.url.includes(encodeURIComponent(ANDROID_KEY))
            ? reply(403, { message: echoAll })
            : tokenReply("ok"),
        ),
      }).deleteUser("u1"),
  ],
];

describe("no error ever shows a key", () => {
  it.each(FAILURES)("%s", async (_, fail) => {
    const error = await caught<BatchError>(fail);
    expect(error).toBeInstanceOf(BatchError);
    const views = [
      error.message,
      String(error),
      JSON.stringify(error),
      String(error.stack),
      JSON.stringify(error.report ?? null),
      JSON.stringify(error.results ?? null),
      ...allStrings(error),
    ];
    for (const secret of SECRETS)
      for (const form of secretForms(secret))
        for (const view of views) expect(view).not.toContain(form);
    // Not even a piece of one: no 8-character run of a key survives anywhere.
    const text = views.join("\n");
    for (const secret of SECRETS)
      for (let i = 0; i + 8 <= secret.length; i++)
        expect(text).not.toContain(secret.slice(i, i + 8));
  });

  it("the redacted forms still say what happened", async () => {
    const api = await caught<BatchApiError>(FAILURES[0]![1]);
    expect(api.message).toContain("key *** / *** rest ***");
    const network = await caught<BatchNetworkError>(FAILURES[3]![1]);
    expect(network.message).toContain(`${BASE}/***/data/users/{id}`);
    expect(network.message).toContain("connect to");
    expect(network.code).toBe("ECONNREFUSED");
    expect(await caught(FAILURES[4]![1])).toBeInstanceOf(BatchTimeoutError);
    expect(await caught(FAILURES[5]![1])).toBeInstanceOf(BatchAbortError);
    expect(await caught(FAILURES[8]![1])).toBeInstanceOf(BatchValidationError);
    const bulk = await caught<BatchDeleteError>(FAILURES[11]![1]);
    expect(bulk).toBeInstanceOf(BatchDeleteError);
    expect(bulk.report.failures[0]!.error.message).toContain(
      "key *** / *** rest *** android *** / ***",
    );
  });

  it("the global fetch's own error (Node's undici) is redacted too", async () => {
    const fetch: FetchLike = () => globalThis.fetch(`http://${API_KEY}.invalid/`);
    const error = await caught<BatchNetworkError>(() =>
      client({ fetch, retry: false }).deleteUser("u1"),
    );
    expect(error).toBeInstanceOf(BatchNetworkError);
    for (const form of secretForms(API_KEY)) expect(JSON.stringify(error)).not.toContain(form);
  });
});
