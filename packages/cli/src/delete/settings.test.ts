import { createEmulator } from "@batch-custom-data/emulator";
import type { FetchLike } from "@batch-custom-data/node";
import {
  API_KEY as APP,
  ANDROID_KEY as APP2,
  REST_KEY as REST,
} from "@batch-custom-data/test-helpers";
import { describe, expect, it } from "vitest";
import { targetHash } from "../hash.js";
import { UsageError } from "../usage.js";
import { configure, type SettingsFlags } from "./settings.js";

const env = { BATCH_API_KEY: APP, BATCH_REST_API_KEY: REST };

describe("configure", () => {
  it("from the environment, with the defaults", () => {
    const settings = configure({}, env);
    expect(settings).toMatchObject({
      apps: 1,
      baseUrl: "https://api.batch.com/1.0",
      chunkSize: 10_000,
      chosenChunkSize: undefined,
      target: targetHash("https://api.batch.com/1.0", [APP]),
    });
  });

  it("several apps, labelled or not; the flags win over the variables", () => {
    const labelled = configure(
      { baseUrl: "http://127.0.0.1:9/1.0", chunkSize: 7 },
      { ...env, BATCH_API_KEY: `ios=${APP},android=${APP2}`, BATCH_CHUNK_SIZE: "50" },
    );
    expect(labelled).toMatchObject({
      apps: 2,
      baseUrl: "http://127.0.0.1:9/1.0",
      chunkSize: 7,
      chosenChunkSize: 7,
      target: targetHash("http://127.0.0.1:9/1.0", [APP, APP2]),
    });
    expect(configure({}, { ...env, BATCH_CHUNK_SIZE: "50" })).toMatchObject({
      chunkSize: 50,
      chosenChunkSize: 50,
    });
  });

  it("names the variable or the flag at fault, never a key", () => {
    const fails = (flags: object, environment: Record<string, string>, message: RegExp) => {
      let error: unknown;
      try {
        configure(flags, environment);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(UsageError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain(APP);
      expect((error as Error).message).not.toContain(REST);
    };
    fails({}, { BATCH_REST_API_KEY: REST }, /^BATCH_API_KEY is not set/);
    fails({}, { BATCH_API_KEY: APP }, /^BATCH_REST_API_KEY is not set/);
    fails({ baseUrl: "ftp://x" }, env, /^--base-url: baseUrl must be an http\(s\) URL/);
    fails({}, { ...env, BATCH_BASE_URL: "ftp://x" }, /^BATCH_BASE_URL: /);
    fails({}, { ...env, BATCH_RETRIES: "-1" }, /^BATCH_RETRIES must be a whole number/);
    fails({}, { ...env, BATCH_API_KEY: `${APP} x` }, /BATCH_API_KEY/);
  });

  it("a dry run needs no key, and sends nothing even when it has them", async () => {
    const keyless = configure({ dryRun: true }, {});
    expect(keyless.apps).toBeUndefined();
    expect(keyless.target).toBeUndefined();
    const appOnly = configure({ dryRun: true }, { BATCH_API_KEY: `${APP},${APP2}` });
    expect(appOnly.apps).toBe(2);
    expect(appOnly.target).toBe(targetHash("https://api.batch.com/1.0", [APP, APP2]));
    // A key that is set is still checked.
    expect(() => configure({ dryRun: true }, { BATCH_API_KEY: "bad key" })).toThrow(
      /BATCH_API_KEY/,
    );
    // Its client cannot send: the transport refuses.
    const emulator = createEmulator({ apps: [APP], restApiKey: REST });
    const sending = configure({ dryRun: true, retries: 0 }, env, emulator.fetch);
    await expect(sending.client.deleteUser("u1")).rejects.toThrow();
    expect(emulator.stats().requests).toBe(0);
    emulator.close();
  });

  it("--no-adaptive sends --concurrency chunks before the first answer; adaptive, 4", async () => {
    // How many calls start before the first one is answered, for 8 chunks of one id each.
    const before = async (flags: SettingsFlags) => {
      const emulator = createEmulator({ apps: [APP], restApiKey: REST, processingDelayMs: 0 });
      let started = 0;
      let startedBeforeFirstAnswer: number | undefined;
      const transport: FetchLike = async (input, init) => {
        started++;
        await new Promise((resolve) => setTimeout(resolve, 50));
        startedBeforeFirstAnswer ??= started;
        return emulator.fetch(input, init);
      };
      const { client } = configure({ chunkSize: 1, concurrency: 8, ...flags }, env, transport);
      const report = await client.deleteUsers(["a", "b", "c", "d", "e", "f", "g", "h"]);
      emulator.close();
      expect(report.confirmed).toBe(8);
      return startedBeforeFirstAnswer;
    };
    expect(await before({ adaptive: false })).toBe(8);
    expect(await before({})).toBe(4);
  });

  it("a transport given is used (the emulator, in tests)", async () => {
    const emulator = createEmulator({ apps: [APP], restApiKey: REST, processingDelayMs: 0 });
    const settings = configure({ baseUrl: "http://emulator/1.0" }, env, emulator.fetch);
    expect((await settings.client.deleteUser("u1")).token).toEqual(expect.any(String));
    expect(emulator.stats().requests).toBe(1);
    emulator.close();
  });
});
