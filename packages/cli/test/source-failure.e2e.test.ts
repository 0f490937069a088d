/**
 * A source that fails part-way through a chunk (issue 16, item 2): every id read before the
 * failure ends in the report, confirmed or failed, from a file without the precheck, from CSV
 * and from stdin. 25,001 good ids and then a bad row: the first two chunks of 10,000 are sent,
 * and the 5,001 of the third, read but never sent, are listed as failed. The run exits 2 (bad
 * input), naming the line.
 */
import { writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { cli, emulatorPerTest, env, onlyJson, scanOutputsForKeys, tempDir } from "./helpers.js";

const emulator = emulatorPerTest();
const path = tempDir("bcd-source-failure-");
scanOutputsForKeys();

const GOOD = 25_001;
const ids = Array.from({ length: GOOD }, (_, i) => `u${i + 1}`);
/** An id of 1,025 characters: longer than the API takes, so its row is refused. */
const TOO_LONG = "x".repeat(1025);

interface Report {
  requested: number;
  confirmed: number;
  failedIds: string[];
}

function expectEveryIdRead(report: Report) {
  expect(report.confirmed).toBe(20_000);
  expect(report.failedIds).toHaveLength(5_001);
  expect(report.failedIds[0]).toBe("u20001");
  expect(report.failedIds.at(-1)).toBe(`u${GOOD}`);
  // Nothing lost: confirmed and failed together are every good id read.
  expect(report.confirmed + report.failedIds.length).toBe(GOOD);
}

describe("a source that fails mid-chunk: every id read ends in the report", () => {
  it.each([
    ["lines, --file with --no-precheck", "ids.txt", `${ids.join("\n")}\n${TOO_LONG}\n`, []],
    [
      "csv (a row with an unterminated quote), --no-precheck",
      "ids.csv",
      `user_id,plan\n${ids.map((id) => `${id},free`).join("\n")}\n"broken,free\n`,
      ["--column", "user_id"],
    ],
  ])("%s", async (_, name, text, extra) => {
    const served = await emulator();
    const file = path(name);
    writeFileSync(file, text);
    const run = await cli(
      ["delete", "--file", file, "--no-precheck", "--yes", "--json", ...extra],
      { env: env(served) },
    );
    expect(run.code).toBe(2);
    expectEveryIdRead(onlyJson(run.stdout) as Report);
    expect(served.emulator.stats().requests).toBe(2);
    expect(run.stderr).toMatch(/ line 2500[23]: /);
  });

  it("stdin (-), where nothing can be read twice", async () => {
    const served = await emulator();
    const run = await cli(["delete", "-", "--yes", "--json"], {
      env: env(served),
      stdin: `${ids.join("\n")}\n${TOO_LONG}\n`,
    });
    expect(run.code).toBe(2);
    expectEveryIdRead(onlyJson(run.stdout) as Report);
    expect(served.emulator.stats().requests).toBe(2);
  });
});
