// `pnpm --filter browser-app dev` (scripts/dev.mjs): the page under Vite, the worker-proxy
// under wrangler dev and the emulator come up on 127.0.0.1 from one command; a user deletes
// their data through them in Chromium; SIGINT (Ctrl-C) stops all three.

import { type ChildProcess, spawn } from "node:child_process";
import { createServer, Socket } from "node:net";
import { fileURLToPath } from "node:url";
import { launchChromium } from "@batch-custom-data/test-helpers/node";
import type { Browser } from "playwright-core";
import { afterAll, expect, it } from "vitest";
import { open } from "./browser.js";

const REST_KEY = "DEV_REST_API_KEY"; // scripts/dev.mjs's development value

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.connect(port, "127.0.0.1");
  });
}

let dev: ChildProcess | undefined;
let browser: Browser | undefined;
afterAll(async () => {
  await browser?.close();
  if (dev && dev.exitCode === null) dev.kill("SIGKILL");
});

it("starts the page, the proxy and the emulator with one command, and stops them on Ctrl-C", async () => {
  const ports = {
    PAGE_PORT: await freePort(),
    PROXY_PORT: await freePort(),
    EMULATOR_PORT: await freePort(),
  };
  dev = spawn(process.execPath, [fileURLToPath(new URL("../scripts/dev.mjs", import.meta.url))], {
    env: {
      ...process.env,
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  dev.stdout!.on("data", (chunk) => (output += chunk));
  dev.stderr!.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) =>
    dev!.once("exit", (code) => resolve(code)),
  );
  await Promise.race([
    new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (output.includes("ready:")) resolve(clearInterval(poll));
      }, 100);
    }),
    exited.then((code) => {
      throw new Error(`dev.mjs exited (${code}) before it was ready:\n${output}`);
    }),
  ]);
  // No secret in what it prints (the admin token is printed: the operator needs it).
  expect(output).not.toMatch(/DEV_(IOS|ANDROID|REST)_API_KEY|dev-user-token-secret/);

  const page = `http://127.0.0.1:${ports.PAGE_PORT}/`;
  browser = await launchChromium();
  const session = await open(browser, `${page}#/me`);
  await session.page.getByLabel("User id", { exact: true }).fill("user-7");
  await session.page.getByRole("button", { name: "Sign in" }).click();
  await session.page.getByRole("checkbox", { name: /permanently deleted/ }).check();
  await session.page.getByRole("button", { name: "Delete my data" }).click();
  await session.page.getByRole("heading", { name: "Your data is being deleted" }).waitFor();
  expect(await session.page.locator("#me-tokens dd").count()).toBe(2);
  await session.context.close();

  const emulator = `http://127.0.0.1:${ports.EMULATOR_PORT}/_emulator`;
  const headers = { "X-Authorization": REST_KEY };
  await fetch(`${emulator}/flush`, { method: "POST", headers });
  for (const app of ["DEV_IOS_API_KEY", "DEV_ANDROID_API_KEY"]) {
    const user7 = await (await fetch(`${emulator}/apps/${app}/users/user-7`, { headers })).json();
    const user8 = await (await fetch(`${emulator}/apps/${app}/users/user-8`, { headers })).json();
    expect([user7.hasData, user8.hasData]).toEqual([false, true]);
  }

  dev.kill("SIGINT");
  expect(await exited).toBe(130);
  for (const port of Object.values(ports))
    expect(await listening(port), `port ${port}`).toBe(false);
}, 180_000);
