// Starts emulator-child.mjs (the emulator served on 127.0.0.1 in its own process) and drives it.
import { fork } from "node:child_process";
import { join } from "node:path";
import { API_KEY, BENCH_DIR, closeChild, REST_API_KEY, track } from "./util.mjs";

/** `tls: {cert, key}` (PEM file paths) also serves it over TLS, on `tlsPort`. */
export async function startEmulator({ timeoutMs = 30_000, tls } = {}) {
  const args = [API_KEY, REST_API_KEY, JSON.stringify(tls ? { tls } : {})];
  const child = fork(join(BENCH_DIR, "src", "emulator-child.mjs"), args, {
    stdio: ["ignore", "ignore", "inherit", "ipc"],
    // Room for millions of seeded ids and queued transactions.
    execArgv: ["--max-old-space-size=4096"],
  });
  track(child);
  const ready = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the emulator did not start")), timeoutMs);
    child.once("message", (message) => {
      clearTimeout(timer);
      resolve(message);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the emulator exited (${code}) before it was ready`));
    });
  });

  let lastId = 0;
  /** Sends `cmd` and resolves with the child's answer (rejects after `timeoutMs`). */
  const call = (cmd, args = {}, ms = 120_000) =>
    new Promise((resolve, reject) => {
      const id = ++lastId;
      const timer = setTimeout(() => {
        child.off("message", onMessage);
        reject(new Error(`emulator: no answer to ${cmd} within ${ms} ms`));
      }, ms);
      const onMessage = (message) => {
        if (message.id !== id) return;
        clearTimeout(timer);
        child.off("message", onMessage);
        if (message.ok) resolve(message.value);
        else reject(new Error(`emulator: ${cmd} failed: ${message.error}`));
      };
      child.on("message", onMessage);
      child.send({ id, cmd, ...args });
    });

  const close = () => closeChild(child, 5000);

  return {
    baseUrl: ready.baseUrl,
    url: ready.url,
    tlsPort: ready.tlsPort,
    pid: child.pid,
    call,
    close,
  };
}
