/** Stopping: a signal while calls hang, and inputs that wait (FIFOs). */
import { execFileSync, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ServedEmulator } from "@batch-custom-data/emulator/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { env, onlyJson, outputs, SECRETS, serveEmulator, start } from "./helpers.js";

let dir: string;
let served: ServedEmulator | undefined;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "bcd-stop-"));
});
afterEach(async () => {
  await served?.close();
  served = undefined;
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  for (const { args, text } of outputs) {
    for (const secret of SECRETS) {
      expect(text.includes(secret), `a key in the output of: ${args.join(" ")}`).toBe(false);
    }
  }
});

describe("inputs that wait", () => {
  const mkfifo = (name: string) => {
    const path = join(dir, name);
    execFileSync("mkfifo", [path]);
    return path;
  };

  it("a FIFO whose writer stays open: SIGINT ends the process with the report", async () => {
    served = await serveEmulator();
    const fifo = mkfifo("held.fifo");
    // A writer that sends two ids and then holds the FIFO open.
    const writer = spawn("/bin/sh", ["-c", `printf 'a\\nb\\n' > '${fifo}'; sleep 30 > '${fifo}'`]);
    try {
      const run = start(["delete", "--file", fifo, "--json"], {
        env: env(served),
        timeoutMs: 20_000,
      });
      await new Promise((r) => setTimeout(r, 1500));
      run.child.kill("SIGINT");
      const signalled = Date.now();
      const result = await run.done;
      expect(result.signal).toBeNull();
      expect(result.code).toBe(130);
      expect(Date.now() - signalled).toBeLessThan(5000);
      expect(onlyJson(result.stdout)).toMatchObject({ interrupted: true });
    } finally {
      writer.kill("SIGKILL");
    }
  });

  it("a FIFO no writer ever opens: SIGINT ends the process with the report", async () => {
    served = await serveEmulator();
    const fifo = mkfifo("idle.fifo");
    const run = start(["delete", "--file", fifo, "--json"], {
      env: env(served),
      timeoutMs: 20_000,
    });
    await new Promise((r) => setTimeout(r, 1500));
    run.child.kill("SIGINT");
    const signalled = Date.now();
    const result = await run.done;
    expect(result.signal).toBeNull();
    expect(result.code).toBe(130);
    expect(Date.now() - signalled).toBeLessThan(5000);
    expect(onlyJson(result.stdout)).toMatchObject({ interrupted: true, requested: 0 });
    expect(served.emulator.stats().requests).toBe(0);
  });
});
