import { describe, expect, it } from "vitest";
import { allStrings, okFetch, secretForms } from "../test/helpers.js";
import {
  clientOptionsFromEnv,
  createClientFromEnv,
  ENV,
  ENV_VARIABLES,
  type EnvRecord,
  parseApiKeys,
} from "./env.js";
import { BatchValidationError } from "./errors.js";

const APP = "APP_KEY+a1b2/c3";
const APP2 = "APP_KEY_d4e5f6";
const REST = "REST_KEY_0099";
const BASE = { BATCH_API_KEY: APP, BATCH_REST_API_KEY: REST };

/** The validation error `fn` throws, checked to hold no key in any form, anywhere. */
function refusal(fn: () => unknown): BatchValidationError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(BatchValidationError);
    const text = [...allStrings(error), JSON.stringify(error), String(error)].join("\n");
    for (const secret of [APP, APP2, REST]) {
      for (const form of secretForms(secret)) expect(text).not.toContain(form);
    }
    return error as BatchValidationError;
  }
  throw new Error("expected a BatchValidationError");
}

describe("clientOptionsFromEnv", () => {
  it("reads the keys, the base URL and the tuning variables", () => {
    const env = {
      ...BASE,
      BATCH_BASE_URL: "http://127.0.0.1:8787/1.0",
      BATCH_TIMEOUT_MS: "5000",
      BATCH_RETRIES: "0",
      BATCH_CONCURRENCY: "8",
      BATCH_CHUNK_SIZE: "500",
      UNRELATED: "x",
    };
    expect(clientOptionsFromEnv(env)).toEqual({
      apiKey: [APP],
      restApiKey: REST,
      baseUrl: "http://127.0.0.1:8787/1.0",
      timeoutMs: 5000,
      retry: { retries: 0 },
      concurrency: 8,
      chunkSize: 500,
    });
    expect(clientOptionsFromEnv({ ...BASE, BATCH_TIMEOUT_MS: "Infinity" }).timeoutMs).toBe(
      Number.POSITIVE_INFINITY,
    );
  });

  it("reads app keys separated by commas, or labelled", () => {
    expect(parseApiKeys(`${APP}, ${APP2}`)).toEqual([APP, APP2]);
    expect(parseApiKeys(`ios=${APP},android=${APP2}`)).toEqual({ ios: APP, android: APP2 });
    // A key may hold `=` itself: only label=KEY on every entry is a label.
    expect(parseApiKeys("abc=")).toEqual(["abc="]);
  });

  it("ignores a Worker's other bindings, and blank variables", () => {
    const env: EnvRecord = { ...BASE, JOBS: { send() {} }, BATCH_BASE_URL: "  ", OTHER: 42 };
    expect(clientOptionsFromEnv(env)).toEqual({ apiKey: [APP], restApiKey: REST });
  });

  it("lets defined overrides win, and ignores undefined ones", () => {
    const fetch = okFetch();
    const options = clientOptionsFromEnv(
      { ...BASE, BATCH_BASE_URL: "http://a.test/1.0", BATCH_CONCURRENCY: "2" },
      { baseUrl: undefined, concurrency: 9, fetch },
    );
    expect(options).toMatchObject({ baseUrl: "http://a.test/1.0", concurrency: 9, fetch });
    // A variable an override replaces is not needed.
    expect(clientOptionsFromEnv({}, { apiKey: APP, restApiKey: REST })).toEqual({
      apiKey: APP,
      restApiKey: REST,
    });
  });

  it("merges BATCH_RETRIES with a retry override", () => {
    const options = clientOptionsFromEnv(
      { ...BASE, BATCH_RETRIES: "2" },
      { retry: { baseDelayMs: 1 } },
    );
    expect(options.retry).toEqual({ retries: 2, baseDelayMs: 1 });
    expect(clientOptionsFromEnv({ ...BASE, BATCH_RETRIES: "2" }, { retry: false }).retry).toBe(
      false,
    );
  });

  it("an undefined field of a retry override does not erase BATCH_RETRIES", () => {
    const options = clientOptionsFromEnv(
      { ...BASE, BATCH_RETRIES: "2" },
      { retry: { retries: undefined, baseDelayMs: 1 } },
    );
    expect(options.retry).toEqual({ retries: 2, baseDelayMs: 1 });
  });

  it("names the missing variable, in the message and as a field", () => {
    const missing = [
      [{ BATCH_REST_API_KEY: REST }, ENV.apiKey],
      [{ BATCH_API_KEY: APP }, ENV.restApiKey],
      [{}, ENV.apiKey],
      [{ BATCH_API_KEY: " ", BATCH_REST_API_KEY: REST }, ENV.apiKey],
      [{ BATCH_API_KEY: APP, BATCH_REST_API_KEY: "" }, ENV.restApiKey],
    ] as const;
    for (const [env, variable] of missing) {
      const error = refusal(() => clientOptionsFromEnv(env));
      expect(error.message).toMatch(new RegExp(`^${variable} is not set: set it to `));
      expect(error.variable).toBe(variable);
    }
  });

  it("names the variable holding a bad value, never the value", () => {
    const bad = (env: Record<string, unknown>) =>
      refusal(() => clientOptionsFromEnv({ ...BASE, ...env }));
    expect(bad({ BATCH_API_KEY: `${APP},,${APP2}` }).message).toMatch(
      /^BATCH_API_KEY has an empty entry \(number 2 of 3\)/,
    );
    expect(bad({ BATCH_API_KEY: `ios=${APP},${APP2}` }).message).toMatch(/mixes labelled/);
    expect(bad({ BATCH_API_KEY: `a=${APP},a=${APP2}` }).message).toMatch(/labels two apps "a"/);
    expect(bad({ BATCH_API_KEY: 42 }).message).toMatch(/^BATCH_API_KEY must be a string/);
    for (const [variable, value] of [
      ["BATCH_TIMEOUT_MS", "0"],
      ["BATCH_TIMEOUT_MS", "5s"],
      ["BATCH_RETRIES", "-1"],
      ["BATCH_CONCURRENCY", "1.5"],
      ["BATCH_CHUNK_SIZE", "ten"],
    ]) {
      const error = bad({ [variable!]: value });
      expect(error.variable).toBe(variable);
      expect(error.message).toMatch(new RegExp(`^${variable} must be a whole number`));
    }
  });

  it("refuses an env that is not an object", () => {
    expect(() => clientOptionsFromEnv(undefined as never)).toThrow(/env must be an object/);
  });
});

describe("createClientFromEnv", () => {
  it("makes a client that sends to every app of the environment", async () => {
    const fetch = okFetch();
    const client = createClientFromEnv(
      { BATCH_API_KEY: `ios=${APP},android=${APP2}`, BATCH_REST_API_KEY: REST },
      { fetch, baseUrl: "http://127.0.0.1:9/1.0" },
    );
    const { tokens } = await client.deleteUser("u1");
    expect(tokens.map((t) => t.app)).toEqual(["ios", "android"]);
    expect(fetch.calls.map((c) => c.url)).toEqual([
      `http://127.0.0.1:9/1.0/${encodeURIComponent(APP)}/data/users/u1`,
      `http://127.0.0.1:9/1.0/${APP2}/data/users/u1`,
    ]);
    expect(fetch.calls[0]!.headers["X-Authorization"]).toBe(REST);
  });

  it("blames the variable a value createClient refuses came from", () => {
    const bad = (env: Record<string, string>) =>
      refusal(() => createClientFromEnv({ ...BASE, ...env }));
    expect(bad({ BATCH_API_KEY: `${APP} ${APP2}` }).message).toMatch(
      /^BATCH_API_KEY: .*whitespace/,
    );
    expect(bad({ BATCH_API_KEY: `${APP},${APP}` }).message).toMatch(/^BATCH_API_KEY: .*twice/);
    expect(bad({ BATCH_REST_API_KEY: `${REST}\u00a0` }).message).toMatch(
      /^BATCH_REST_API_KEY: .*non-ASCII/,
    );
    const url = bad({ BATCH_BASE_URL: "ftp://example.com" });
    expect(url.message).toMatch(/^BATCH_BASE_URL: .*baseUrl/);
    expect(url).toMatchObject({ variable: "BATCH_BASE_URL", option: "baseUrl" });
    expect(bad({ BATCH_BASE_URL: "https://u:p@example.com" }).variable).toBe("BATCH_BASE_URL");
    expect(bad({ BATCH_CHUNK_SIZE: "20000" }).variable).toBe("BATCH_CHUNK_SIZE");
    expect(bad({ BATCH_CONCURRENCY: "1000" }).variable).toBe("BATCH_CONCURRENCY");
  });

  it("does not blame a variable for an override's mistake", () => {
    const error = refusal(() => createClientFromEnv(BASE, { baseUrl: "nope" }));
    expect(error.message).toMatch(/^createClient: baseUrl/);
    expect(error.option).toBe("baseUrl");
    expect(error.variable).toBeUndefined();
  });

  it("lists every variable it reads", () => {
    expect(ENV_VARIABLES).toEqual(Object.values(ENV));
    expect(ENV_VARIABLES).toContain("BATCH_REST_API_KEY");
  });
});
