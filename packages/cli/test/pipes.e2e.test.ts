/**
 * A reader that goes away (`| head`, `| true`) closes stdout under the CLI. What is left to
 * print has nowhere to go; the command must still end as it would, not crash on EPIPE.
 * `bash -c '… | true'`: `true` exits without reading, so the CLI writes into a closed pipe.
 */
import { describe, expect, it } from "vitest";
import { APP, CLI, cli, emulatorPerTest, env } from "./helpers.js";

const emulator = emulatorPerTest();

/** Runs the CLI with its stdout piped into `true`; stdout is node's exit code. */
const intoClosedPipe = (args: string) => [
  "/bin/bash",
  "-c",
  `"${process.execPath}" "${CLI}" ${args} | true; echo "\${PIPESTATUS[0]}"`,
];

describe("stdout closed by its reader", () => {
  it("--help | true: exit 0, no EPIPE stack trace", async () => {
    const run = await cli([], { command: intoClosedPipe("--help") });
    expect(run.stdout.trim()).toBe("0");
    expect(run.stderr).not.toMatch(/EPIPE|Error/);
  });

  it("delete --json | true: every id is still deleted, exit 0", async () => {
    const served = await emulator();
    served.emulator.seed(APP, ["u1", "u2", "u3"]);
    const run = await cli([], {
      env: env(served),
      command: intoClosedPipe("delete u1 u2 u3 --json"),
    });
    expect(run.stdout.trim()).toBe("0");
    expect(run.stderr).not.toMatch(/EPIPE/);
    await served.emulator.settled();
    expect(served.emulator.users(APP)).toEqual([]);
  });
});
