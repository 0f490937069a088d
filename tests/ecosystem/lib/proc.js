// Runs a command to completion with a time limit, its output kept (and echoed, prefixed, when
// verbose). Every child gets its own process group, killed whole on timeout or when the suite
// itself is stopped, so nothing a consumer started outlives the run.
import { spawn } from "node:child_process";

const running = new Set();
for (const [signal, code] of [
  ["SIGINT", 130],
  ["SIGTERM", 143],
]) {
  process.once(signal, () => {
    for (const pid of running) killGroup(pid);
    process.exit(code);
  });
}
process.once("exit", () => {
  for (const pid of running) killGroup(pid);
});

export function killGroup(pid) {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {}
}

/**
 * Resolves with `{ code, stdout, stderr, ms, timedOut }` (code null when it could not start or
 * was killed); never rejects.
 */
export function exec(cmd, args, { cwd, env = process.env, timeoutMs = 120_000, input } = {}) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd,
      env,
      detached: true,
      stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    if (input !== undefined) child.stdin.end(input);
    if (child.pid) running.add(child.pid);
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, timeoutMs);
    const done = (code, error) => {
      clearTimeout(timer);
      running.delete(child.pid);
      if (error) stderr += `\ncould not start ${cmd}: ${error.message}`;
      resolve({ code, stdout, stderr, ms: Date.now() - started, timedOut });
    };
    child.on("error", (error) => done(null, error));
    child.on("close", (code) => done(timedOut ? null : code));
  });
}

/** Starts a long-lived child (a server); `stop()` kills its group. */
export function start(cmd, args, { cwd, env = process.env } = {}) {
  const child = spawn(cmd, args, { cwd, env, detached: true, stdio: ["pipe", "pipe", "pipe"] });
  if (child.pid) running.add(child.pid);
  const stop = () => {
    running.delete(child.pid);
    killGroup(child.pid);
  };
  return { child, stop };
}

/** The last line of `stdout` that starts with `RESULT `, parsed; undefined if none. */
export function resultLine(stdout) {
  const line = stdout
    .split("\n")
    .reverse()
    .find((l) => l.startsWith("RESULT "));
  if (!line) return undefined;
  try {
    return JSON.parse(line.slice("RESULT ".length));
  } catch {
    return undefined;
  }
}
