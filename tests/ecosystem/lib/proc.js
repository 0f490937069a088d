// Runs a command to completion with a time limit, its output kept (and echoed, prefixed, when
// verbose). Every child gets its own process group, killed whole on timeout or when the suite
// itself is stopped, so nothing a consumer started outlives the run.
import { killGroup, spawnGroup } from "@batch-custom-data/test-helpers/node";

/**
 * Resolves with `{ code, stdout, stderr, ms, timedOut }` (code null when it could not start or
 * was killed); never rejects.
 */
export function exec(cmd, args, { cwd, env = process.env, timeoutMs = 120_000, input } = {}) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawnGroup(cmd, args, {
      cwd,
      env,
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
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, timeoutMs);
    const done = (code, error) => {
      clearTimeout(timer);
      if (error) stderr += `\ncould not start ${cmd}: ${error.message}`;
      resolve({ code, stdout, stderr, ms: Date.now() - started, timedOut });
    };
    child.on("error", (error) => done(null, error));
    child.on("close", (code) => done(timedOut ? null : code));
  });
}

/** Starts a long-lived child (a server); `stop()` kills its group. */
export function start(cmd, args, { cwd, env = process.env } = {}) {
  const child = spawnGroup(cmd, args, { cwd, env, stdio: ["pipe", "pipe", "pipe"] });
  return { child, stop: () => killGroup(child.pid) };
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
