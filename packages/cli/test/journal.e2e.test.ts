/** The resume journal when it is not what it should be: not a journal, tampered, unwritable. */
import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import {
  APP,
  CLI,
  cli,
  emulatorPerTest,
  env,
  onlyJson,
  range,
  scanOutputsForKeys,
  tempDir,
} from "./helpers.js";

const file = tempDir("bcd-journal-");
const emulator = emulatorPerTest();
scanOutputsForKeys();

describe("--resume on what is not a journal", () => {
  it("a file that is not a journal is refused before anything is written (its last line kept)", async () => {
    const served = await emulator();
    const path = file("ids.txt");
    // No final newline: the old code cut this "torn" line off before reading the header.
    await writeFile(path, "user-1\nuser-2\nuser-3");
    const run = await cli(["delete", "a", "--resume", path, "--json"], { env: env(served) });
    expect(run.code).toBe(2);
    expect(readFileSync(path, "utf8")).toBe("user-1\nuser-2\nuser-3");
    expect(run.stderr).toMatch(/is not a batch-custom-data journal/);
    expect(onlyJson(run.stdout)).toMatchObject({ ok: false, exitCode: 2 });
    expect(served.emulator.stats().requests).toBe(0);
  });

  it("a tampered journal header: exit 2 with the JSON report, nothing sent", async () => {
    const served = await emulator();
    const path = file("tampered.journal");
    expect((await cli(["delete", "a", "--resume", path], { env: env(served) })).code).toBe(0);
    const [header, ...rest] = readFileSync(path, "utf8").split("\n");
    // One value here; journal.test.ts goes through the others.
    for (const chunkSize of [0]) {
      const tampered = { ...JSON.parse(header!), chunkSize };
      await writeFile(path, [JSON.stringify(tampered), ...rest].join("\n"));
      const before = served.emulator.stats().requests;
      const run = await cli(["delete", "b", "--resume", path, "--json"], { env: env(served) });
      expect(run.code, `chunkSize ${chunkSize}`).toBe(2);
      expect(run.stderr).toMatch(/chunkSize/);
      expect(onlyJson(run.stdout)).toMatchObject({ ok: false, exitCode: 2 });
      expect(served.emulator.stats().requests).toBe(before);
    }
  });
});

describe("a journal that cannot be written", () => {
  it("stops the run, labelled as a journal failure (not an interruption), with the report", async () => {
    const served = await emulator();
    const ids = range(1, 300);
    served.emulator.seed(APP, ids);
    const input = file("efbig.txt");
    await writeFile(input, ids.join("\n"));
    const journal = file("efbig.journal");
    // A file size limit of 1 KiB: the journal's header and a few entries fit, then EFBIG.
    const args = [
      "delete",
      "--file",
      input,
      "--resume",
      journal,
      "--chunk-size",
      "10",
      "--concurrency",
      "1",
      "--json",
    ];
    const run = await cli([], {
      env: env(served),
      command: [
        "/bin/sh",
        "-c",
        `ulimit -f 1; exec "${process.execPath}" "${CLI}" ${args.join(" ")}`,
      ],
    });
    expect(run.code).toBe(1);
    const report = onlyJson(run.stdout);
    expect(JSON.stringify(report)).not.toMatch(/SIGINT|Interrupted/);
    expect(report.interrupted).toBe(false);
    expect(report.error.message).toMatch(/journal/i);
    expect(report.complete).toBe(false);
    expect(report.confirmed).toBeGreaterThan(0);
    expect(report.confirmed + report.failed).toBe(report.requested);
    for (const failure of report.failures) {
      expect(failure.error.message).toMatch(/journal/i);
    }
  });
});
