import { describe, expect, it } from "vitest";
import {
  ANDROID_KEY,
  API_KEY,
  BASE,
  type Call,
  caught,
  client,
  fakeFetch,
  okFetch,
  REST_KEY,
  reply,
  tokenReply,
} from "../test/helpers.js";
import { BatchApiError, BatchNetworkError, BatchValidationError } from "./errors.js";
import * as core from "./index.js";
import type { FetchLike } from "./send.js";

const key = (call: Call) => decodeURIComponent(call.url.split("/")[4]!);

describe("deleteUser", () => {
  it("sends the single delete and resolves with its token", async () => {
    const fetch = fakeFetch(() => tokenReply("fd576e9f-8b07-4844-91f9-ecfc2137c6f8"));
    const result = await client({ fetch }).deleteUser("user-42");
    expect(result).toEqual({
      token: "fd576e9f-8b07-4844-91f9-ecfc2137c6f8",
      tokens: [{ app: "0", token: "fd576e9f-8b07-4844-91f9-ecfc2137c6f8" }],
    });
    expect(fetch.calls).toHaveLength(1);
    expect(fetch.calls[0]!.url).toBe(`${BASE}/${encodeURIComponent(API_KEY)}/data/users/user-42`);
  });

  it.each([
    ["an empty id", ""],
    ["a number", 42],
    ["an id of 1024 characters", "x".repeat(1024)],
    ["an unpaired surrogate", "a\uD800"],
  ])("refuses %s before sending anything", async (_, id) => {
    const fetch = okFetch();
    const error = await caught(() => client({ fetch }).deleteUser(id as string));
    expect(error).toBeInstanceOf(BatchValidationError);
    expect(fetch.calls).toHaveLength(0);
  });

  it("sends . and .. as a one-id bulk call", async () => {
    const fetch = okFetch();
    const c = client({ fetch });
    expect((await c.deleteUser("..")).token).toBe("t1");
    expect(fetch.calls[0]!.url).toBe(`${BASE}/${encodeURIComponent(API_KEY)}/data/users`);
    expect(fetch.calls[0]!.body).toBe('[".."]');
  });

  it("rejects with the typed error of a single app", async () => {
    const fetch = fakeFetch(() => reply(401, { error_code: 10 }));
    const error = await caught<BatchApiError>(() => client({ fetch }).deleteUser("u1"));
    expect(error).toBeInstanceOf(BatchApiError);
    expect(error.name).toBe("AUTHENTICATION_INVALID");
    expect(error.results).toBeUndefined();
  });
});

describe("deleteUser with several apps", () => {
  it("apiKey {ios, android}: one call per app, both tokens, labelled by app", async () => {
    const fetch = fakeFetch((call) =>
      tokenReply(key(call) === API_KEY ? "ios-token" : "android-token"),
    );
    const c = client({ fetch, apiKey: { ios: API_KEY, android: ANDROID_KEY } });
    const result = await c.deleteUser("u1");
    expect(result).toEqual({
      token: "ios-token",
      tokens: [
        { app: "ios", token: "ios-token" },
        { app: "android", token: "android-token" },
      ],
    });
    expect(fetch.calls.map(key).toSorted()).toEqual([API_KEY, ANDROID_KEY].toSorted());
    for (const call of fetch.calls) expect(call.url.endsWith("/data/users/u1")).toBe(true);
    expect(JSON.stringify(result)).not.toContain(API_KEY);
  });

  it("apiKey as an array: labelled by index", async () => {
    const fetch = fakeFetch((call) => tokenReply(key(call) === API_KEY ? "first" : "second"));
    const result = await client({ fetch, apiKey: [API_KEY, ANDROID_KEY] }).deleteUser("u1");
    expect(result.tokens).toEqual([
      { app: "0", token: "first" },
      { app: "1", token: "second" },
    ]);
  });

  it("a failure in one app rejects with `results` holding the other app's token", async () => {
    const fetch = fakeFetch((call) =>
      key(call) === ANDROID_KEY ? reply(403, { error_code: 12 }) : tokenReply("ios-token"),
    );
    const c = client({ fetch, apiKey: { ios: API_KEY, android: ANDROID_KEY } });
    const error = await caught<BatchApiError>(() => c.deleteUser("u1"));
    expect(error).toBeInstanceOf(BatchApiError);
    expect(error.name).toBe("API_MISUSE");
    expect(error.request?.app).toBe("android");
    expect(error.results).toEqual([
      { app: "ios", token: "ios-token" },
      {
        app: "android",
        error: expect.objectContaining({ name: "API_MISUSE", status: 403, code: 12, attempts: 1 }),
      },
    ]);
  });
});

describe("fetch compatibility", () => {
  it("calls fetch unbound (a fetch that throws 'Illegal invocation' on another `this` works)", async () => {
    const seen: unknown[] = [];
    const strict = function (this: unknown, _input: string) {
      seen.push(this);
      if (this !== undefined && this !== globalThis) throw new TypeError("Illegal invocation");
      return Promise.resolve(tokenReply("tok"));
    } as FetchLike;
    const c = client({ fetch: strict });
    expect((await c.deleteUser("u1")).token).toBe("tok");
    expect((await c.deleteUsers(["u1", "u2"])).confirmed).toBe(2);
    expect(seen).toHaveLength(2);
    expect(seen.every((self) => self === undefined || self === globalThis)).toBe(true);
  });

  it("the default global fetch is called unbound too", async () => {
    const original = globalThis.fetch;
    const seen: unknown[] = [];
    globalThis.fetch = function (this: unknown) {
      seen.push(this);
      if (this !== undefined && this !== globalThis) throw new TypeError("Illegal invocation");
      return Promise.resolve(tokenReply("tok"));
    } as typeof fetch;
    try {
      const c = core.createClient({ apiKey: API_KEY, restApiKey: REST_KEY, baseUrl: BASE });
      expect((await c.deleteUser("u1")).token).toBe("tok");
    } finally {
      globalThis.fetch = original;
    }
    expect(seen).toHaveLength(1);
  });

  it("accepts a fetch that returns a plain thenable", async () => {
    const fetch: FetchLike = () => ({
      // biome-ignore lint/suspicious/noThenProperty: a PromiseLike is the point
      then: (resolve, reject) => Promise.resolve(tokenReply("tok")).then(resolve, reject),
    });
    expect((await client({ fetch }).deleteUser("u1")).token).toBe("tok");
  });

  it("a fetch that resolves with something that is not a Response fails as an error, not a crash", async () => {
    const fetch = (() => Promise.resolve({})) as unknown as FetchLike;
    const error = await caught(() => client({ fetch, retry: false }).deleteUser("u1"));
    expect(error).toBeInstanceOf(BatchNetworkError);
  });
});

describe("the package's public surface", () => {
  it("exports the client, the error classes and the limits", () => {
    expect(Object.keys(core).toSorted()).toEqual(
      [
        "BatchAbortError",
        "BatchApiError",
        "BatchDeleteError",
        "BatchError",
        "BatchHookError",
        "BatchNetworkError",
        "BatchSourceError",
        "BatchTimeoutError",
        "BatchValidationError",
        "DEFAULT_BASE_URL",
        "DEFAULT_MAX_CONSECUTIVE_FAILURES",
        "ERROR_KINDS",
        "ERROR_TABLE",
        "HALT_STATUSES",
        "MAX_IDS_PER_CALL",
        "MAX_ID_LENGTH",
        "buildDeleteUserRequest",
        "buildDeleteUsersRequest",
        "createClient",
        "guardOf",
        "idProblem",
        "isBatchAbortError",
        "isBatchApiError",
        "isBatchDeleteError",
        "isBatchError",
        "isBatchHookError",
        "isBatchNetworkError",
        "isBatchSourceError",
        "isBatchTimeoutError",
        "isBatchValidationError",
        "isBrowserRuntime",
        "refuseInBrowser",
      ].toSorted(),
    );
    expect(core.MAX_IDS_PER_CALL).toBe(10_000);
    expect(core.MAX_ID_LENGTH).toBe(1023);
    expect(core.idProblem("ok")).toBeUndefined();
    expect(core.idProblem("")).toBe("is empty");
  });
});

describe("user ids are personal data: never in a message or a printed URL", () => {
  const ID = "jane.doe@example.com";
  const forms = [ID, encodeURIComponent(ID), "jane.doe"];
  const failures: [string, FetchLike][] = [
    ["a 404", fakeFetch(() => reply(404, { error_code: 20 }))],
    ["a 500 after retries", fakeFetch(() => reply(500))],
    [
      "a network error quoting the URL (Deno)",
      async (url) => {
        throw new TypeError(`error sending request for url (${url}): connection refused`);
      },
    ],
  ];

  it.each(failures)("deleteUser failing with %s shows …/data/users/{id}", async (_, fetch) => {
    const error = await caught<BatchApiError>(() => client({ fetch }).deleteUser(ID));
    expect(error.request?.url).toBe(`${BASE}/***/data/users/{id}`);
    const printed = [error.message, String(error), JSON.stringify(error), String(error.stack)];
    for (const text of printed) for (const form of forms) expect(text).not.toContain(form);
  });

  it("the request built for one id still carries it, for the transport (displayUrl hides it)", async () => {
    const request = core.buildDeleteUserRequest(
      { baseUrl: BASE, apiKey: API_KEY, restApiKey: REST_KEY },
      ID,
    );
    expect(request.url.endsWith(`/data/users/${encodeURIComponent(ID)}`)).toBe(true);
    expect(request.displayUrl).toBe(`${BASE}/***/data/users/{id}`);
  });
});
