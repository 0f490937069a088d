// `pnpm --filter worker-proxy dev` (scripts/dev.mjs): the emulator and `wrangler dev`, with
// local Queues and Durable Object storage. Started, used once per route kind, and stopped.
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, expect, it } from "vitest";

let dev: ChildProcess | undefined;
afterAll(async () => {
  if (!dev || dev.exitCode !== null) return;
  const exited = new Promise((resolve) => dev!.once("exit", resolve));
  dev.kill("SIGTERM");
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  if (dev.exitCode === null) process.kill(-dev.pid!, "SIGKILL");
});

it("runs the Worker locally against the emulator", async () => {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  dev = spawn(process.execPath, [fileURLToPath(new URL("../scripts/dev.mjs", import.meta.url))], {
    env: { ...process.env, PORT: String(port), EMULATOR_PORT: String(port + 1) },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // its own process group: wrangler and workerd go down with it
  });
  let output = "";
  dev.stdout!.on("data", (chunk) => (output += chunk));
  dev.stderr!.on("data", (chunk) => (output += chunk));
  const deadline = Date.now() + 60_000;
  while (!/Ready on http/.test(output)) {
    if (Date.now() > deadline || dev.exitCode !== null)
      throw new Error(`dev did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const [, token] = /Bearer (ey[\w.-]+)/.exec(output)!;
  const [, admin] = /Bearer (dev-admin-token[\w-]+)/.exec(output)!;
  const base = `http://127.0.0.1:${port}`;

  const me = await fetch(`${base}/v1/me`, {
    method: "DELETE",
    headers: { Authorization: `Bearer ${token}` },
  });
  expect(me.status).toBe(200);
  expect((await me.json()).tokens).toHaveLength(2);

  const created = await fetch(`${base}/v1/jobs`, {
    method: "POST",
    headers: { Authorization: `Bearer ${admin}`, "Content-Type": "application/json" },
    body: JSON.stringify(["user-2", "user-3"]),
  });
  expect(created.status).toBe(202);
  const { id } = await created.json();
  let job: { state?: string; confirmed?: number } = {};
  while (Date.now() < deadline + 30_000) {
    job = await (
      await fetch(`${base}/v1/jobs/${id}`, { headers: { Authorization: `Bearer ${admin}` } })
    ).json();
    if (job.state === "done") break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  expect(job).toMatchObject({ state: "done", confirmed: 2 });
});
