// In Chromium: a client that would hold the REST key is refused in a page and in a page's
// worker, by the source, by the built default entry (run-time detection) and by the built
// `browser` entry (no detection needed); `dangerouslyAllowBrowser: true` lets it through.
import { createEmulator } from "@batch-custom-data/emulator";
import { describe, expect, it } from "vitest";
import * as builtBrowser from "../dist/browser.js";
import * as builtDefault from "../dist/index.js";
import * as source from "./index.js";

const REST_KEY = "REST-5ecret-0123456789abcdef";
const API_KEY = "APP-5ecret-0123456789abcdef";
const options = { apiKey: API_KEY, restApiKey: REST_KEY };

const entries = { source, "dist/index.js": builtDefault, "dist/browser.js": builtBrowser };

describe.each(Object.entries(entries))("%s", (_, entry) => {
  it("refuses createClient with a REST key in a page, explaining the risk and the proxy", () => {
    let thrown: unknown;
    try {
      entry.createClient(options);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(entry.BatchValidationError);
    const error = thrown as InstanceType<typeof entry.BatchValidationError>;
    expect(error.option).toBe("dangerouslyAllowBrowser");
    expect(error.message).toMatch(/^createClient refused to run in a browser/);
    expect(error.message).toMatch(/anyone who opens it/);
    expect(error.message).toMatch(/proxy/);
    expect(error.message).toMatch(/createProxyClient/);
    expect(error.message).toMatch(/dangerouslyAllowBrowser: true/);
    const printed = `${error.message} ${JSON.stringify(error)} ${String(error)} ${error.stack}`;
    expect(printed).not.toContain(REST_KEY);
    expect(printed).not.toContain(API_KEY);
  });

  it("refuses createClientFromEnv the same way", () => {
    const env = { BATCH_API_KEY: API_KEY, BATCH_REST_API_KEY: REST_KEY };
    expect(() => entry.createClientFromEnv(env)).toThrow(/^createClientFromEnv refused to run/);
    expect(() => entry.createClientFromEnv(env, { dangerouslyAllowBrowser: false })).toThrow(
      entry.BatchValidationError,
    );
  });

  it("refuses before checking anything else (no hint about the key's validity)", () => {
    expect(() => entry.createClient({ apiKey: "", restApiKey: "" })).toThrow(
      /dangerouslyAllowBrowser/,
    );
  });

  it("lets a client through with dangerouslyAllowBrowser: true, and it deletes", async () => {
    const emulator = createEmulator({
      apps: [API_KEY],
      restApiKey: REST_KEY,
      processingDelayMs: 0,
    });
    emulator.seed(API_KEY, ["u1", "u2"]);
    const client = entry.createClient({
      ...options,
      fetch: emulator.fetch,
      dangerouslyAllowBrowser: true,
    });
    const { token } = await client.deleteUser("u1");
    expect(token).toMatch(/\w{8}-/);
    const fromEnv = entry.createClientFromEnv(
      { BATCH_API_KEY: API_KEY, BATCH_REST_API_KEY: REST_KEY },
      { fetch: emulator.fetch, dangerouslyAllowBrowser: true },
    );
    const report = await fromEnv.deleteUsers(["u2"]);
    expect(report.confirmed).toBe(1);
    emulator.flush();
    expect(emulator.hasData(API_KEY, "u1")).toBe(false);
    expect(emulator.hasData(API_KEY, "u2")).toBe(false);
    emulator.close();
  });

  it("still checks the options once allowed", () => {
    expect(() =>
      entry.createClient({ apiKey: API_KEY, restApiKey: "", dangerouslyAllowBrowser: true }),
    ).toThrow(/restApiKey|REST API key/);
  });
});

describe("detection", () => {
  it("tells a page", () => {
    expect(source.isBrowserRuntime()).toBe(true);
  });

  it("tells a page's worker, where there is no window", async () => {
    const worker = new Worker(new URL("./test-worker.ts", import.meta.url), { type: "module" });
    const answer = await new Promise<{ hasWindow: boolean; browser: boolean; refused: string }>(
      (resolve, reject) => {
        worker.onmessage = (event: MessageEvent) => resolve(event.data);
        worker.onerror = (event: ErrorEvent) => reject(new Error(event.message));
      },
    );
    worker.terminate();
    expect(answer.hasWindow).toBe(false);
    expect(answer.browser).toBe(true);
    expect(answer.refused).toMatch(/refused to run in a browser/);
  });
});
