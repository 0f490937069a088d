/** Stopping: a signal while calls hang, and inputs that wait (FIFOs). */
import { execFileSync, spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { emulatorPerTest, env, onlyJson, scanOutputsForKeys, start, tempDir } from "./helpers.js";

const file = tempDir("bcd-stop-");
const emulator = emulatorPerTest();
scanOutputsForKeys();

describe("inputs that wait", () => {
  const mkfifo = (name: string) => {
    const path = file(name);
    execFileSync("mkfifo", [path]);
    return path;
  };

  /** Runs `delete --file fifo --json`, sends SIGINT after a while, and times the exit. */
  async function interrupted(fifo: string) {
    const served = await emulator();
    const run = start(["delete", "--file", fifo, "--json"], {
      env: env(served),
      timeoutMs: 20_000,
    });
    await new Promise((r) => setTimeout(r, 1500));
    run.child.kill("SIGINT");
    const signalled = Date.now();
    const result = await run.done;
    // It ended by itself (not killed by the test's timeout), promptly, with its report.
    expect(result.signal).toBeNull();
    expect(result.code).toBe(130);
    expect(Date.now() - signalled).toBeLessThan(5000);
    expect(served.emulator.stats().requests).toBe(0);
    return onlyJson(result.stdout);
  }

  it("a FIFO whose writer stays open: SIGINT ends the process with the report", async () => {
    const fifo = mkfifo("held.fifo");
    // One process that writes two ids and then holds the FIFO open (exec: nothing left behind).
    const writer = spawn("/bin/sh", ["-c", `exec > '${fifo}'; printf 'a\\nb\\n'; exec sleep 30`]);
    try {
      const report = await interrupted(fifo);
      // The ids read before the signal are in the report, not sent.
      expect(report).toMatchObject({ interrupted: true, confirmed: 0 });
    } finally {
      writer.kill("SIGKILL");
    }
  });

  it("a FIFO no writer ever opens: SIGINT ends the process with the report", async () => {
    const report = await interrupted(mkfifo("idle.fifo"));
    expect(report).toMatchObject({ interrupted: true, requested: 0 });
  });
});
