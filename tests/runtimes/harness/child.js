// Runs a command with its output prefixed by the runtime's name (the runtimes run side by
// side), killed with its whole process group when `signal` aborts or this process is stopped.
import { createInterface } from "node:readline";
import { killGroup, spawnGroup } from "@batch-custom-data/test-helpers/node";

export function prefixLines(stream, label, out) {
  createInterface({ input: stream }).on("line", (line) => out.write(`[${label}] ${line}\n`));
}

/** Resolves with the exit code (null when killed or not started); never rejects. */
export function run(label, cmd, args, { cwd, env, signal }) {
  return new Promise((resolve) => {
    // Its own process group, so vitest's forks or deno's children die with it.
    const child = spawnGroup(cmd, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    prefixLines(child.stdout, label, process.stdout);
    prefixLines(child.stderr, label, process.stderr);
    const kill = () => killGroup(child.pid);
    signal?.addEventListener("abort", kill, { once: true });
    child.on("error", (error) => {
      process.stderr.write(`[${label}] could not start ${cmd}: ${error.message}\n`);
      resolve(null);
    });
    child.on("close", (code) => {
      signal?.removeEventListener("abort", kill);
      resolve(code);
    });
  });
}
