import { createEmulator } from "@batch-custom-data/emulator";
import { afterEach, describe, expect, it, vi } from "vitest";
import { BatchValidationError, createClientFromEnv, readEnvConfig } from "./index.js";

const APP = "APP_KEY_a1b2c3";
const APP2 = "APP_KEY_d4e5f6";
const REST = "REST_KEY_0099";

function refusal(fn: () => unknown): BatchValidationError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(BatchValidationError);
    const message = String((error as Error).message);
    for (const secret of [APP, APP2, REST]) expect(message).not.toContain(secret);
    expect(JSON.stringify(error)).not.toContain(REST);
    return error as BatchValidationError;
  }
  throw new Error("expected a BatchValidationError");
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("createClientFromEnv", () => {
  it("names the missing variable", () => {
    expect(refusal(() => createClientFromEnv({ BATCH_REST_API_KEY: REST })).message).toMatch(
      /^BATCH_API_KEY is not set/,
    );
    expect(refusal(() => createClientFromEnv({ BATCH_API_KEY: APP })).message).toMatch(
      /^BATCH_REST_API_KEY is not set/,
    );
    expect(refusal(() => createClientFromEnv({})).message).toMatch(/^BATCH_API_KEY/);
    expect(
      refusal(() => createClientFromEnv({ BATCH_API_KEY: " ", BATCH_REST_API_KEY: REST })).message,
    ).toMatch(/^BATCH_API_KEY is not set/);
    expect(
      refusal(() => createClientFromEnv({ BATCH_API_KEY: APP, BATCH_REST_API_KEY: "" })).message,
    ).toMatch(/^BATCH_REST_API_KEY is not set/);
  });

  it("names the variable holding a bad value, never the value", () => {
    const bad = (env: Record<string, string>) =>
      refusal(() => createClientFromEnv({ BATCH_API_KEY: APP, BATCH_REST_API_KEY: REST, ...env }))
        .message;
    expect(bad({ BATCH_API_KEY: `${APP},,${APP2}` })).toMatch(/^BATCH_API_KEY has an empty entry/);
    expect(bad({ BATCH_API_KEY: `${APP},` })).toMatch(/^BATCH_API_KEY has an empty entry/);
    expect(bad({ BATCH_API_KEY: `${APP} ${APP2}` })).toMatch(/^BATCH_API_KEY: .*whitespace/);
    expect(bad({ BATCH_API_KEY: `${APP},${APP}` })).toMatch(/^BATCH_API_KEY: .*twice/);
    expect(bad({ BATCH_REST_API_KEY: `${REST}\n` })).toMatch(/^BATCH_REST_API_KEY: .*whitespace/);
    expect(bad({ BATCH_BASE_URL: "ftp://example.com" })).toMatch(/^BATCH_BASE_URL: .*baseUrl/);
    expect(bad({ BATCH_BASE_URL: "https://u:p@example.com" })).toMatch(/^BATCH_BASE_URL: /);
  });

  it("does not blame a variable for an override's mistake", () => {
    const error = refusal(() =>
      createClientFromEnv({ BATCH_API_KEY: APP, BATCH_REST_API_KEY: REST }, { baseUrl: "nope" }),
    );
    expect(error.message).toMatch(/^createClient: baseUrl/);
  });

  it("reads several app keys separated by commas: one call per app", async () => {
    const emulator = createEmulator({ apps: [APP, APP2], restApiKey: REST });
    emulator.seed(APP, ["u1"]);
    emulator.seed(APP2, ["u1"]);
    const client = createClientFromEnv(
      { BATCH_API_KEY: `${APP}, ${APP2}`, BATCH_REST_API_KEY: REST, BATCH_BASE_URL: "" },
      { fetch: emulator.fetch },
    );
    const { tokens } = await client.deleteUser("u1");
    expect(tokens.map((t) => t.app)).toEqual(["0", "1"]);
    await emulator.settled();
    expect(emulator.count(APP) + emulator.count(APP2)).toBe(0);
    emulator.close();
  });

  it("uses BATCH_BASE_URL, and lets overrides win", async () => {
    const emulator = createEmulator({ apps: [APP], restApiKey: REST });
    const seen: string[] = [];
    const fetch = (url: string, init: RequestInit) => {
      seen.push(url);
      return emulator.fetch(url, init);
    };
    const env = {
      BATCH_API_KEY: APP,
      BATCH_REST_API_KEY: REST,
      BATCH_BASE_URL: "http://emulator.test/1.0",
    };
    await createClientFromEnv(env, { fetch }).deleteUser("a");
    await createClientFromEnv(
      { BATCH_REST_API_KEY: "wrong" },
      {
        fetch,
        apiKey: APP,
        restApiKey: REST,
        baseUrl: "http://other.test/1.0",
      },
    ).deleteUser("b");
    expect(seen).toEqual([
      `http://emulator.test/1.0/${APP}/data/users/a`,
      `http://other.test/1.0/${APP}/data/users/b`,
    ]);
    emulator.close();
  });

  it("reads process.env by default", () => {
    vi.stubEnv("BATCH_API_KEY", APP);
    vi.stubEnv("BATCH_REST_API_KEY", REST);
    vi.stubEnv("BATCH_BASE_URL", "http://127.0.0.1:9/1.0");
    expect(readEnvConfig()).toEqual({
      apiKey: [APP],
      restApiKey: REST,
      baseUrl: "http://127.0.0.1:9/1.0",
    });
    expect(typeof createClientFromEnv().deleteUsers).toBe("function");
  });
});
