/**
 * Helpers for the end-to-end tests: the BUILT CLI run as a child process against the emulator
 * served on 127.0.0.1, with every byte of every child's output kept for the key scan.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createEmulator, type Emulator, type EmulatorOptions } from "@batch-custom-data/emulator";
import { type ServedEmulator, serve } from "@batch-custom-data/emulator/node";
import { ANDROID_KEY, API_KEY, keysIn, REST_KEY } from "@batch-custom-data/test-helpers";
import { afterAll, afterEach, beforeAll, expect } from "vitest";

/** The built CLI; BCD_CLI points the tests at another build (e.g. main's, to see a test fail). */
export const CLI = process.env.BCD_CLI ?? fileURLToPath(new URL("../dist/cli.js", import.meta.url));

/** The workspace's test keys: none may appear in any output. */
export const APP = API_KEY;
export const APP2 = ANDROID_KEY;
export const REST = REST_KEY;

/** Every output of every child, for the final scan. */
export const outputs: { args: string[]; text: string }[] = [];

/**
 * After the file's tests: neither key, raw or percent-encoded, in any output of any run (and
 * at least `runs` runs, so the scan cannot pass by seeing nothing).
 */
export function scanOutputsForKeys(runs = 1) {
  afterAll(() => {
    expect(outputs.length).toBeGreaterThanOrEqual(runs);
    for (const { args, text } of outputs) {
      expect(keysIn(text), `a key in the output of: ${args.join(" ")}`).toEqual([]);
    }
  });
}

/** A temporary folder for the file's tests, removed after them. */
export function tempDir(prefix: string): (name: string) => string {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  return (name) => join(dir, name);
}

/** The emulator served for one test at a time, closed after it. */
export function emulatorPerTest(): (options?: EmulatorOptions) => Promise<ServedEmulator> {
  let served: ServedEmulator | undefined;
  afterEach(async () => {
    await served?.close();
    served = undefined;
  });
  return async (options) => {
    served = await serveEmulator(options);
    return served;
  };
}

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Started {
  child: ChildProcess;
  done: Promise<Run>;
  /** Output so far. */
  stdout(): string;
  stderr(): string;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  stdin?: string | Buffer;
  /** Keep stdin open (for SIGINT while reading it). */
  keepStdinOpen?: boolean;
  timeoutMs?: number;
  command?: string[];
}

/** Environment for a child: nothing inherited but PATH, so no real key can leak in. */
export function childEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? "/usr/bin:/bin" };
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

export function start(args: string[], options: RunOptions = {}): Started {
  const child = spawn(
    options.command?.[0] ?? process.execPath,
    [...(options.command?.slice(1) ?? [CLI]), ...args],
    {
      env: childEnv(options.env),
      stdio: ["pipe", "pipe", "pipe"],
    },
  );
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (d: string) => {
    stdout += d;
  });
  child.stderr!.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
  });
  child.stdin!.on("error", () => {});
  if (options.stdin !== undefined) child.stdin!.write(options.stdin);
  if (!options.keepStdinOpen) child.stdin!.end();
  const timeoutMs = options.timeoutMs ?? 15_000;
  const done = (async () => {
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    const [code, signal] = (await once(child, "close")) as [number | null, NodeJS.Signals | null];
    clearTimeout(timer);
    outputs.push({ args, text: stdout + stderr });
    return { code, signal, stdout, stderr };
  })();
  return { child, done, stdout: () => stdout, stderr: () => stderr };
}

export function cli(args: string[], options: RunOptions = {}): Promise<Run> {
  return start(args, options).done;
}

export function env(served: { baseUrl: string }, extra: Record<string, string | undefined> = {}) {
  return {
    BATCH_API_KEY: APP,
    BATCH_REST_API_KEY: REST,
    BATCH_BASE_URL: served.baseUrl,
    ...extra,
  };
}

/** The emulator, served on 127.0.0.1 on a free port. */
export function serveEmulator(options: EmulatorOptions = {}): Promise<ServedEmulator> {
  return serve(
    createEmulator({
      apps: [APP],
      restApiKey: REST,
      processingDelayMs: 0,
      logLimit: 100_000,
      ...options,
    }),
    { port: 0, hostname: "127.0.0.1", closeGraceMs: 200 },
  );
}

/**
 * The emulator behind a tiny recording server: every id of every bulk call that reaches it is
 * kept, in arrival order, whatever becomes of the call.
 */
export async function serveRecording(emulator: Emulator) {
  const received: string[][] = [];
  const server = createServer(async (req, res) => {
    const parts: Buffer[] = [];
    for await (const part of req) parts.push(part as Buffer);
    const body = Buffer.concat(parts);
    try {
      const ids = JSON.parse(body.toString("utf8"));
      if (Array.isArray(ids)) received.push(ids);
    } catch {}
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === "string") headers.set(name, value);
    }
    const abort = new AbortController();
    res.on("close", () => abort.abort());
    try {
      const response = await emulator.fetch(`http://127.0.0.1${req.url}`, {
        method: req.method,
        headers,
        body: body.length > 0 ? body : undefined,
        signal: abort.signal,
      });
      const payload = Buffer.from(await response.arrayBuffer());
      res.writeHead(response.status, { "content-type": "application/json" });
      res.end(payload);
    } catch {
      res.destroy();
    }
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/1.0`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Waits for `condition`, polling; fails after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 10_000, what = "condition") {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const range = (from: number, to: number, prefix = "user-") =>
  Array.from({ length: to - from + 1 }, (_, i) => `${prefix}${from + i}`);

/** Parses stdout that must be exactly one JSON document. */
// biome-ignore lint/suspicious/noExplicitAny: tests read reports loosely, as a consumer's script would
export function onlyJson(stdout: string): Record<string, any> {
  const text = stdout.trim();
  expectSingleLine(text);
  return JSON.parse(text);
}

function expectSingleLine(text: string) {
  if (text.includes("\n"))
    throw new Error(`stdout holds more than one line:\n${text.slice(0, 500)}`);
}
