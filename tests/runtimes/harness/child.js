// Runs a command with its output prefixed by the runtime's name (the runtimes run side by
// side), killed with its whole process group when `signal` aborts or this process is stopped.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

/** Process groups still running, killed if the matrix itself is interrupted. */
const running = new Set();
for (const [name, code] of [
  ["SIGINT", 130],
  ["SIGTERM", 143],
]) {
  process.once(name, () => {
    for (const pid of running) killGroup(pid);
    process.exit(code);
  });
}

function killGroup(pid) {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {}
}

export function prefixLines(stream, label, out) {
  createInterface({ input: stream }).on("line", (line) => out.write(`[${label}] ${line}\n`));
}

/** Resolves with the exit code (null when killed or not started); never rejects. */
export function run(label, cmd, args, { cwd, env, signal }) {
  return new Promise((resolve) => {
    // detached: its own process group, so vitest's forks or deno's children die with it.
    const child = spawn(cmd, args, { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    prefixLines(child.stdout, label, process.stdout);
    prefixLines(child.stderr, label, process.stderr);
    const kill = () => killGroup(child.pid);
    if (child.pid) running.add(child.pid);
    signal?.addEventListener("abort", kill, { once: true });
    child.on("error", (error) => {
      process.stderr.write(`[${label}] could not start ${cmd}: ${error.message}\n`);
      resolve(null);
    });
    child.on("close", (code) => {
      running.delete(child.pid);
      signal?.removeEventListener("abort", kill);
      resolve(code);
    });
  });
}
