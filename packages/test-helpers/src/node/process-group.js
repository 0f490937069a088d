// Children in process groups of their own (`detached`), so whatever they start (vitest's
// forks, deno's or a consumer's children) dies with them: a group is killed whole on demand,
// and every group still running is killed when this process is stopped (SIGINT, SIGTERM) or
// exits, so nothing outlives a test run.
import { spawn } from "node:child_process";

/** @type {Set<number>} */
const running = new Set();
let hooked = false;

function killAll() {
  for (const pid of running) killGroup(pid);
}

function hook() {
  if (hooked) return;
  hooked = true;
  for (const [signal, code] of /** @type {const} */ ([
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ])) {
    process.once(signal, () => {
      killAll();
      process.exit(code);
    });
  }
  process.once("exit", killAll);
}

/**
 * Kills a child's whole process group (nothing when it never started or is gone).
 * @param {number | undefined} pid
 */
export function killGroup(pid) {
  if (pid === undefined) return;
  running.delete(pid);
  try {
    process.kill(-pid, "SIGKILL");
  } catch {}
}

/**
 * `spawn` in a process group of its own, tracked until it closes.
 * @param {string} cmd
 * @param {readonly string[]} args
 * @param {import("node:child_process").SpawnOptions} options
 */
export function spawnGroup(cmd, args, options) {
  hook();
  const child = spawn(cmd, args, { ...options, detached: true });
  const { pid } = child;
  if (pid !== undefined) {
    running.add(pid);
    child.once("close", () => running.delete(pid));
  }
  return child;
}
