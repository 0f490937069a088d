/** What the CLI prints, and what it refuses to run with. */
import type { ServedEmulator } from "@batch-custom-data/emulator/node";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { cli, env, onlyJson, outputs, REST, SECRETS, serveEmulator } from "./helpers.js";

let served: ServedEmulator | undefined;
afterEach(async () => {
  await served?.close();
  served = undefined;
});
afterAll(() => {
  for (const { args, text } of outputs) {
    for (const secret of SECRETS) {
      expect(text.includes(secret), `a key in the output of: ${args.join(" ")}`).toBe(false);
    }
  }
});

describe("Node's own debug output", () => {
  it("NODE_DEBUG=http,net: refuses to run and says why; nothing sent, no key printed", async () => {
    // The patterns Node reads (wildcards, case) are covered by node-debug.test.ts.
    served = await serveEmulator();
    const run = await cli(["delete", "a", "--json"], {
      env: env(served, { NODE_DEBUG: "http,net" }),
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/NODE_DEBUG=http,net makes Node print request details/);
    expect(onlyJson(run.stdout)).toMatchObject({ ok: false, exitCode: 2 });
    expect(served.emulator.stats().requests).toBe(0);
  });
});

describe("redaction", () => {
  it("an id that holds a key comes back whole in the report of failed ids", async () => {
    // A key of its own (not in SECRETS): this test prints it on purpose, inside ids.
    const key = "idKey_0d9c8b7a6f5e4d3c";
    served = await serveEmulator({ apps: [key], maxIdLength: 20 });
    const ids = [`user-${key}-a`, "ok-1"];
    const environment = env(served, { BATCH_API_KEY: key });
    const json = await cli(["delete", "--chunk-size", "1", "--json", "--", ...ids], {
      env: environment,
    });
    expect(json.code).toBe(1);
    const report = onlyJson(json.stdout);
    expect(report.failedIds).toEqual([`user-${key}-a`]);
    expect(report.failures[0].ids).toEqual([`user-${key}-a`]);
    // The key is printed inside the id and nowhere else.
    const bare = json.stdout.split(`user-${key}-a`).join("");
    expect(bare).not.toContain(key);
    const human = await cli(["delete", "--chunk-size", "1", "--", ...ids], { env: environment });
    expect(human.stdout).toContain(`  "user-${key}-a"`);
    expect(human.stdout + human.stderr).not.toContain(REST);
  });
});
