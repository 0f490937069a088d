/** Stopping: a signal while calls hang, and inputs that wait (FIFOs). */
import { execFileSync, spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import {
  emulatorPerTest,
  env,
  onlyJson,
  scanOutputsForKeys,
  start,
  tempDir,
  waitFor,
} from "./helpers.js";

const file = tempDir("bcd-stop-");
const emulator = emulatorPerTest();
scanOutputsForKeys();

describe("one signal while calls hang", () => {
  for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const) {
    it(`${signal}: no new call or retry, calls in flight aborted after the grace, report out, exit ${code}`, async () => {
      // Every call hangs: each attempt times out after 400 ms and is retried.
      const served = await emulator({ faults: { hang: 1 } });
      const run = start(
        [
          "delete",
          "a",
          "b",
          "c",
          "--chunk-size",
          "1",
          "--concurrency",
          "2",
          "--timeout",
          "400",
          "--retries",
          "100",
          "--stop-grace",
          "1500",
          "--json",
        ],
        { env: env(served), timeoutMs: 30_000 },
      );
      // Wait for a retry, so one is pending (in backoff or in flight) when the signal comes.
      await waitFor(() => served.emulator.stats().requests >= 3, 10_000, "a retry");
      run.child.kill(signal);
      const signalled = Date.now();
      // Once the signal has surely been handled: from then on, not one request more.
      await new Promise((r) => setTimeout(r, 200));
      const atSignal = served.emulator.stats().requests;
      const result = await run.done;
      const took = Date.now() - signalled;
      expect(result.code).toBe(code);
      // The grace (1.5 s) plus a margin for a loaded machine; well short of the old 120 s.
      expect(took).toBeLessThan(1500 + 5000);
      // No request after the signal: no new call, no new retry.
      expect(served.emulator.stats().requests).toBe(atSignal);
      const report = onlyJson(result.stdout);
      expect(report).toMatchObject({ ok: false, exitCode: code, interrupted: true, confirmed: 0 });
      expect(report.failedIds).toEqual(["a", "b", "c"]);
      expect(result.stderr).toContain(`${signal}: stopping. No new call or retry`);
    });
  }
});

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
