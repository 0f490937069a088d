/**
 * Runs the app as a user would: `deno run` with the permissions of its `delete` task in
 * deno.json (the API host swapped for the emulator's, plus `--allow-read=<file>` when it reads
 * a file), the emulator served with Deno.serve on 127.0.0.1, and every byte the app prints
 * checked for both keys, raw and percent-encoded.
 */

import assert from "node:assert/strict";
import { createEmulator, type EmulatorOptions } from "@batch-custom-data/emulator";
import config from "../deno.json" with { type: "json" };

export const IOS_KEY = "ios-key:SECRET1@x";
export const ANDROID_KEY = "android-key/SECRET2";
export const REST_KEY = "rest-key-SECRET3";
const KEYS = [IOS_KEY, ANDROID_KEY, REST_KEY];

/** The flags of a deno.json task: what the app is run with. */
export function taskFlags(task: keyof typeof config.tasks): string[] {
  const words = config.tasks[task].split(/\s+/);
  assert.deepEqual(words.slice(0, 2), ["deno", "run"]);
  return words.slice(2, words.indexOf("src/main.ts"));
}

export function serveEmulator(options: EmulatorOptions = {}) {
  const emulator = createEmulator({
    apps: [IOS_KEY, ANDROID_KEY],
    restApiKey: REST_KEY,
    ...options,
  });
  const server = Deno.serve(
    {
      hostname: "127.0.0.1",
      port: 0,
      onListen() {},
      // A call the client aborted ends the emulator's wait with an AbortError: expected here.
      onError(error) {
        if ((error as Error)?.name !== "AbortError") console.error(error);
        return new Response(null, { status: 500 });
      },
    },
    (request) => emulator.fetch(request),
  );
  const host = `127.0.0.1:${server.addr.port}`;
  return {
    emulator,
    host,
    baseUrl: `http://${host}/1.0`,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
      emulator.close();
    },
  };
}

export interface RunOptions {
  /** The deno flags; default: the `delete` task's, with the emulator's host. */
  flags: string[];
  args?: string[];
  env?: Record<string, string>;
  /** Written to the app's stdin, then closed (undefined: no stdin). */
  stdin?: string;
  /** Leave stdin open for `during` to write to. */
  pipeStdin?: boolean;
  /** Called once the app runs, e.g. to send it a signal. */
  during?: (child: Deno.ChildProcess) => Promise<void>;
  timeoutMs?: number;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

const decoder = new TextDecoder();

export async function runApp(options: RunOptions): Promise<RunResult> {
  const started = performance.now();
  // The binary running the tests: `deno` on PATH may be npm's Node wrapper around it (deno
  // task puts node_modules/.bin first), which would take the signals meant for the app.
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...options.flags, "src/main.ts", ...(options.args ?? [])],
    // Every BATCH_* variable is set, so nothing leaks in from the caller's environment.
    env: {
      BATCH_API_KEY: "",
      BATCH_REST_API_KEY: "",
      BATCH_BASE_URL: "",
      BATCH_TIMEOUT_MS: "",
      BATCH_RETRIES: "",
      BATCH_CONCURRENCY: "",
      BATCH_CHUNK_SIZE: "",
      NO_COLOR: "1",
      ...options.env,
    },
    stdin: options.stdin === undefined && !options.pipeStdin ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let timedOut = false;
  // SIGKILL: the app treats SIGTERM as a graceful stop.
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, options.timeoutMs ?? 120_000);
  try {
    if (options.stdin !== undefined) {
      const writer = child.stdin.getWriter();
      await writer.write(new TextEncoder().encode(options.stdin));
      await writer.close();
    }
    await options.during?.(child);
    const { code, stdout, stderr } = await child.output();
    assert.ok(!timedOut, "the app did not finish in time (a prompt or a hang?)");
    const result = {
      code,
      stdout: decoder.decode(stdout),
      stderr: decoder.decode(stderr),
      ms: Math.round(performance.now() - started),
    };
    assertNoKey(result.stdout);
    assertNoKey(result.stderr);
    return result;
  } catch (error) {
    // Leave nothing running, whatever failed.
    if (!timedOut) child.kill("SIGKILL");
    await child.output().catch(() => {});
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

export function assertNoKey(text: string) {
  for (const key of KEYS) {
    for (const form of [key, encodeURIComponent(key)]) {
      assert.ok(
        !text.includes(form),
        `a key (${form === key ? "raw" : "percent-encoded"}) was printed`,
      );
    }
  }
}

export const keysEnv = (baseUrl: string, more: Record<string, string> = {}) => ({
  BATCH_API_KEY: `${IOS_KEY},${ANDROID_KEY}`,
  BATCH_REST_API_KEY: REST_KEY,
  BATCH_BASE_URL: baseUrl,
  ...more,
});

/** The task's flags with the API host swapped for the emulator's. */
export function flagsFor(host: string, extra: string[] = []): string[] {
  return [
    ...taskFlags("delete").map((flag) =>
      flag.startsWith("--allow-net=") ? `--allow-net=${host}` : flag,
    ),
    ...extra,
  ];
}

export async function writeIds(name: string, ids: Iterable<string>): Promise<string> {
  await Deno.mkdir(".tmp", { recursive: true });
  const path = `.tmp/${name}`;
  await Deno.writeTextFile(path, `${[...ids].join("\n")}\n`);
  return path;
}

/** Polls `condition` every 20 ms; throws after `ms`. */
export async function waitFor(condition: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`still waiting after ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const userIds = (count: number) => Array.from({ length: count }, (_, i) => `user-${i + 1}`);
