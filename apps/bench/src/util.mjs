// Shared helpers: statistics, formatting, and child processes that are always cleaned up.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const BENCH_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");
export const REPO_DIR = join(BENCH_DIR, "..", "..");
export const API_KEY = "BENCH_API_KEY";
export const REST_API_KEY = "BENCH_REST_API_KEY";

/** Every child process (or process group) we started and have not seen exit. */
const children = new Map();

/** Ends every child we started (by pid; a detached one by its own process group). */
export function killChildren(signal = "SIGKILL") {
  for (const [pid, group] of children) {
    try {
      process.kill(group ? -pid : pid, signal);
    } catch {}
  }
  children.clear();
}

/** Tracks a child started elsewhere (`fork`) for cleanup. */
export function track(child) {
  if (child.pid === undefined) return;
  children.set(child.pid, false);
  child.once("exit", () => children.delete(child.pid));
}

let hooked = false;
/** Kill children on exit, SIGINT, SIGTERM and on a crash. */
export function installCleanup() {
  if (hooked) return;
  hooked = true;
  process.on("exit", () => killChildren());
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.on(signal, () => {
      killChildren();
      process.exit(130);
    });
  }
}

/**
 * Spawns `command`, tracked for cleanup and killed after `timeoutMs`. Resolves with its exit
 * code, stdout, stderr and wall time; never rejects on a non-zero exit (the caller decides).
 * `group: true` makes it a process-group leader so a shell script's curls die with it.
 */
export function run(
  command,
  args,
  { timeoutMs = 120_000, group = false, env, cwd, input, onSpawn } = {},
) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, {
      env: env ?? process.env,
      cwd,
      stdio: ["pipe", "pipe", "pipe"],
      detached: group,
    });
    if (child.pid === undefined) {
      child.once("error", reject);
      return;
    }
    children.set(child.pid, group);
    onSpawn?.(child);
    const out = [];
    const err = [];
    child.stdout.on("data", (c) => out.push(c));
    child.stderr.on("data", (c) => err.push(c));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(group ? -child.pid : child.pid, "SIGKILL");
      } catch {}
    }, timeoutMs);
    child.once("error", (error) => {
      clearTimeout(timer);
      children.delete(child.pid);
      reject(error);
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      children.delete(child.pid);
      resolve({
        code,
        signal,
        timedOut,
        wallMs: performance.now() - started,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
      });
    });
    child.stdin.on("error", () => {});
    child.stdin.end(input);
  });
}

/** Parses the last line of a child's stdout that is a JSON object. */
export function lastJson(stdout) {
  const lines = stdout.trim().split("\n").reverse();
  for (const line of lines) {
    if (line.startsWith("{")) return JSON.parse(line);
  }
  throw new Error(`no JSON result in output: ${stdout.slice(-500)}`);
}

const CLOCK_TICK_MS = 10; // USER_HZ = 100 on Linux
/**
 * CPU time (ms) of this process's terminated and reaped descendants: fields cutime and cstime
 * of /proc/self/stat. A shell script's curls count once the shell has reaped them and we have
 * reaped the shell. Resolution 10 ms.
 */
export function childrenCpuMs() {
  const stat = readFileSync("/proc/self/stat", "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // After the ")" fields start at 3 (state): cutime is field 16, cstime 17 (1-based).
  const cutime = Number(fields[16 - 3]);
  const cstime = Number(fields[17 - 3]);
  return { user: cutime * CLOCK_TICK_MS, system: cstime * CLOCK_TICK_MS };
}

/**
 * Median, quartiles (linear interpolation between order statistics, as R's default type 7 and
 * numpy's default do), min, max and count. Empty input gives NaNs and n = 0.
 */
export function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const at = (p) => {
    if (n === 0) return Number.NaN;
    const h = (n - 1) * p;
    const lo = Math.floor(h);
    return sorted[lo] + (h - lo) * ((sorted[Math.min(lo + 1, n - 1)] ?? 0) - sorted[lo]);
  };
  return { median: at(0.5), q1: at(0.25), q3: at(0.75), min: sorted[0], max: sorted[n - 1], n };
}

/** "1.12 (IQR 1.08–1.17)" */
export const fmtIqr = (s, digits = 2) =>
  `${s.median.toFixed(digits)} (IQR ${s.q1.toFixed(digits)}–${s.q3.toFixed(digits)})`;

export const fmtInt = (n) => Math.round(n).toLocaleString("en-US");
export const fmtMs = (ms) => (ms >= 100 ? fmtInt(ms) : ms.toFixed(1));
export const fmtKb = (bytes) => `${(bytes / 1000).toFixed(2)} kB`;
export const fmtMb = (kb) => `${(kb / 1024).toFixed(1)} MiB`;

/** A Markdown table from a header row and rows of cells, padded as biome formats Markdown. */
export function table(header, rows) {
  const all = [header, ...rows].map((row) => row.map(String));
  const len = (cell) => [...cell].length;
  const widths = header.map((_, c) => Math.max(3, ...all.map((row) => len(row[c] ?? ""))));
  const line = (row) =>
    `| ${row.map((cell, c) => cell + " ".repeat(widths[c] - len(cell))).join(" | ")} |`;
  const [head, ...body] = all;
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n");
}

/** `nproc`, the CPU model and Node's version, for the record. */
export function machine() {
  let cpu = "unknown";
  try {
    const info = readFileSync("/proc/cpuinfo", "utf8");
    cpu = /^model name\s*:\s*(.+)$/m.exec(info)?.[1]?.trim() ?? cpu;
  } catch {}
  return {
    nproc: availableParallelism(),
    cpu,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

/** The ids `user-1` … `user-N` (what the emulator seeds), `count` of them from `from`. */
export function makeIds(count, from = 1) {
  const ids = new Array(count);
  for (let i = 0; i < count; i++) ids[i] = `user-${from + i}`;
  return ids;
}

/**
 * Starts the clock of a timed part. `stop()` gives its wall time and this process's CPU time
 * (user and system), as every child's result line reports them.
 */
export function clock() {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  return {
    t0,
    stop() {
      const wallMs = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      return { wallMs, cpuUserMs: cpu.user / 1000, cpuSysMs: cpu.system / 1000 };
    },
  };
}

/** A run counts only when every id was confirmed. */
export function assertAllConfirmed(report, count) {
  if (report.confirmed !== count) {
    throw new Error(`${report.confirmed} of ${count} ids confirmed (${report.failed} failed)`);
  }
}

/** Asks a forked server to close; SIGKILL once `graceMs` has passed. */
export function closeChild(child, graceMs) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      resolve();
    }, graceMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.send({ cmd: "close" });
  });
}

/**
 * createClient's options for a child: its server and keys, the transport's fetch, and only the
 * pace settings it was given (the SDK's own defaults for the others).
 */
export function clientOptions(
  { baseUrl, apiKey, restApiKey, adaptive, concurrency, chunkSize },
  transport,
) {
  return {
    apiKey,
    restApiKey,
    baseUrl,
    ...(adaptive === undefined ? {} : { adaptive }),
    ...(concurrency ? { concurrency } : {}),
    ...(chunkSize ? { chunkSize } : {}),
    ...(transport.fetch ? { fetch: transport.fetch } : {}),
  };
}
