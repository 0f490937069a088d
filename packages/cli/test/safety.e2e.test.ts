/** What the CLI prints, and what it refuses to run with. */
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import {
  APP,
  CLI,
  cli,
  emulatorPerTest,
  env,
  onlyJson,
  REST,
  range,
  scanOutputsForKeys,
  start,
  tempDir,
  waitFor,
} from "./helpers.js";

const file = tempDir("bcd-safety-");
const emulator = emulatorPerTest();
scanOutputsForKeys();

describe("Node's own debug output", () => {
  it("NODE_DEBUG=http,net: refuses to run and says why; nothing sent, no key printed", async () => {
    // The patterns Node reads (wildcards, case) are covered by node-debug.test.ts.
    const served = await emulator();
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
    const served = await emulator({ apps: [key], maxIdLength: 20 });
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

describe("confirmation", () => {
  it("without a terminal, more than 1,000 ids are refused without --yes; nothing sent", async () => {
    const served = await emulator();
    const ids = range(1, 1001).join("\n");
    const run = await cli(["delete", "-", "--json"], { env: env(served), stdin: ids });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /more than 1,000 ids from stdin .*no terminal to confirm it on.*--yes/,
    );
    expect(onlyJson(run.stdout)).toMatchObject({ ok: false, exitCode: 2 });
    expect(served.emulator.stats().requests).toBe(0);
  });

  // `script` runs the CLI on a pseudo-terminal, as a person at a terminal would.
  const script = "/usr/bin/script";
  it.skipIf(!existsSync(script))(
    "on a terminal it asks, on /dev/tty even when the ids come through stdin: n sends nothing, y deletes",
    async () => {
      const served = await emulator();
      const ids = range(1, 1500);
      served.emulator.seed(APP, ids);
      const path = file("ids.txt");
      await writeFile(path, ids.join("\n"));
      const answer = async (command: string, typed: string) => {
        const run = start([], {
          command: [script, "-qfec", command, "/dev/null"],
          env: env(served),
          keepStdinOpen: true,
        });
        await waitFor(() => run.stdout().includes("[y/N]"), 10_000, "the question");
        run.child.stdin!.end(typed);
        return run.done;
      };
      const no = await answer(`${process.execPath} ${CLI} delete --file ${path}`, "n\r");
      expect(no.code).toBe(1);
      expect(no.stdout).toContain(
        `Delete the custom data of 1,500 ids from ${path} in 1 app at 127.0.0.1:`,
      );
      expect(no.stdout).toContain("Not confirmed: nothing was sent.");
      expect(served.emulator.stats().requests).toBe(0);

      const yes = await answer(
        `cat ${path} | ${process.execPath} ${CLI} delete - --json > ${file("report.json")}`,
        "y\r",
      );
      expect(yes.code).toBe(0);
      expect(yes.stdout).toContain("more than 1,000 ids from stdin (not read to the end yet)");
      await served.emulator.settled();
      expect(served.emulator.count(APP)).toBe(0);
    },
  );
});
