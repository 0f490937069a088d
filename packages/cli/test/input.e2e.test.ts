/** Where ids come from, as a shell hands them over: `-` for stdin, raw bytes in arguments. */
import { describe, expect, it } from "vitest";
import { APP, CLI, cli, emulatorPerTest, env, onlyJson, scanOutputsForKeys } from "./helpers.js";

const emulator = emulatorPerTest();
scanOutputsForKeys();

describe("delete -", () => {
  it("printf 'u1\\nu2\\n' | delete - deletes u1 and u2, not a user named -", async () => {
    const served = await emulator();
    served.emulator.seed(APP, ["u1", "u2", "-"]);
    const run = await cli(["delete", "-", "--json"], { env: env(served), stdin: "u1\nu2\n" });
    expect(run.code).toBe(0);
    expect(onlyJson(run.stdout)).toMatchObject({ requested: 2, confirmed: 2 });
    await served.emulator.settled();
    expect(served.emulator.users(APP)).toEqual(["-"]);
  });
});

describe("arguments that are not UTF-8", () => {
  it("an argument that is not valid UTF-8 is refused, not sent with U+FFFD", async () => {
    const served = await emulator();
    served.emulator.seed(APP, ["u\uFFFDx"]);
    // The shell's printf hands the CLI the raw byte 0xFF, which no UTF-8 text holds.
    const run = await cli([], {
      env: env(served),
      command: [
        "/bin/sh",
        "-c",
        `exec "${process.execPath}" "${CLI}" delete --json u1 "$(printf 'u\\377x')"`,
      ],
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Argument 4 is not valid UTF-8/);
    expect(onlyJson(run.stdout)).toMatchObject({ ok: false, exitCode: 2 });
    expect(served.emulator.stats().requests).toBe(0);
    expect(served.emulator.users(APP)).toEqual(["u\uFFFDx"]);
  });

  it("a real U+FFFD in an argument (valid UTF-8) is an id like any other", async () => {
    const served = await emulator();
    served.emulator.seed(APP, ["u\uFFFDx"]);
    const run = await cli(["delete", "u\uFFFDx"], { env: env(served) });
    expect(run.code).toBe(0);
    await served.emulator.settled();
    expect(served.emulator.users(APP)).toEqual([]);
  });
});
