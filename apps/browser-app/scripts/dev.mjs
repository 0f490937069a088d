#!/usr/bin/env node
// `pnpm --filter browser-app dev`: the whole stack on 127.0.0.1, from one command: the
// emulator (two apps, users user-1 … user-1000), the worker-proxy under `wrangler dev`
// (local Queues and Durable Object storage in .wrangler/state) pointed at it, and this page
// under Vite's dev server with the development sign-in. Ctrl-C stops all three.
// Ports: PAGE_PORT (5173), PROXY_PORT (8787), EMULATOR_PORT (8788).
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createEmulator } from "@batch-custom-data/emulator";
import { serve } from "@batch-custom-data/emulator/node";
import { createServer } from "vite";
import { devSignIn } from "./dev-auth.mjs";

const app = fileURLToPath(new URL("..", import.meta.url));
const proxyDir = process.env.WORKER_PROXY_DIR
  ? `${process.env.WORKER_PROXY_DIR.replace(/\/$/, "")}/`
  : fileURLToPath(new URL("../../worker-proxy/", import.meta.url));
/** @param {string} name @param {number} fallback */
const port = (name, fallback) => Number(process.env[name] ?? fallback);
const PAGE_PORT = port("PAGE_PORT", 5173);
const PROXY_PORT = port("PROXY_PORT", 8787);
const EMULATOR_PORT = port("EMULATOR_PORT", 8788);
const HOST = "127.0.0.1";
const pageOrigin = `http://${HOST}:${PAGE_PORT}`;
const proxyUrl = `http://${HOST}:${PROXY_PORT}`;

// Development values only: a deployed proxy gets its secrets from `wrangler secret put`.
const DEV = {
  iosKey: "DEV_IOS_API_KEY",
  androidKey: "DEV_ANDROID_API_KEY",
  restApiKey: "DEV_REST_API_KEY",
  userTokenSecret: "dev-user-token-secret-change-me-0123456789",
  adminToken: "dev-admin-token-change-me-0123456789abcdef",
};

let stopping = false;
/** @type {(() => Promise<unknown>)[]} */
const cleanups = [];
/** @param {number} code */
async function stop(code) {
  if (stopping) return;
  stopping = true;
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  process.exit(code);
}
process.on("SIGINT", () => stop(130));
process.on("SIGTERM", () => stop(143));

// 1. The emulator, in this process.
const emulator = createEmulator({ apps: [DEV.iosKey, DEV.androidKey], restApiKey: DEV.restApiKey });
emulator.seed(DEV.iosKey, 1_000);
emulator.seed(DEV.androidKey, 1_000);
const served = await serve(emulator, { hostname: HOST, port: EMULATOR_PORT });
cleanups.push(() => served.close());

// 2. The worker-proxy, under wrangler dev, in a process group of its own (wrangler starts
// workerd): stopping kills the group, so nothing is left listening.
const vars = {
  BATCH_API_KEY: `ios=${DEV.iosKey},android=${DEV.androidKey}`,
  BATCH_REST_API_KEY: DEV.restApiKey,
  BATCH_BASE_URL: served.baseUrl,
  USER_TOKEN_SECRET: DEV.userTokenSecret,
  ADMIN_TOKEN: DEV.adminToken,
  ALLOWED_ORIGINS: pageOrigin,
  JOB_RETRY_BASE_SECONDS: "2",
};
const wrangler = spawn(
  fileURLToPath(new URL("../node_modules/.bin/wrangler", import.meta.url)),
  [
    "dev",
    "--config",
    `${proxyDir}wrangler.jsonc`,
    "--local",
    "--ip",
    HOST,
    "--port",
    String(PROXY_PORT),
    "--persist-to",
    `${app}.wrangler/state`,
    "--show-interactive-dev-session=false",
    "--log-level",
    process.env.WRANGLER_LOG ?? "warn",
    ...Object.entries(vars).flatMap(([name, value]) => ["--var", `${name}:${value}`]),
  ],
  {
    cwd: proxyDir,
    detached: true,
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" },
  },
);
const exited = new Promise((resolve) => wrangler.once("exit", resolve));
wrangler.once("exit", (code) => {
  if (!stopping) {
    console.error(`wrangler dev exited (${code}): stopping.`);
    void stop(1);
  }
});
cleanups.push(async () => {
  /** @param {NodeJS.Signals} signal */
  const group = (signal) => {
    if (!wrangler.pid) return; // never spawned: there is no group (and -0 would be ours)
    try {
      process.kill(-wrangler.pid, signal);
    } catch {} // already gone
  };
  group("SIGINT");
  const timer = setTimeout(() => group("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
  group("SIGKILL"); // anything wrangler left behind in its group
});

// 3. This page, with its settings and the development sign-in.
const signIn = devSignIn({ userTokenSecret: DEV.userTokenSecret });
const vite = await createServer({
  root: app,
  server: { host: HOST, port: PAGE_PORT, strictPort: true },
  plugins: [
    {
      name: "batch-custom-data-dev",
      configureServer(server) {
        server.middlewares.use(async (req, res, next) => {
          if (await signIn(req, res)) return;
          if (req.url?.split("?")[0] === "/config.json") {
            res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
            res.end(JSON.stringify({ proxyUrl, tokenUrl: "/__dev/session", devSignIn: true }));
            return;
          }
          next();
        });
      },
    },
  ],
});
cleanups.push(() => vite.close());
await vite.listen();

// Ready once the proxy answers.
for (let i = 0; ; i++) {
  try {
    if ((await fetch(`${proxyUrl}/healthz`)).ok) break;
  } catch {}
  if (i > 600) {
    console.error("wrangler dev did not start within 60 s.");
    await stop(1);
  }
  await new Promise((resolve) => setTimeout(resolve, 100));
}

console.log(`
  page       ${pageOrigin}/        (sign in as user-1 … user-1000)
  proxy      ${proxyUrl}           (wrangler dev, local Queues)
  emulator   ${served.baseUrl}
  admin token for Bulk deletion: ${DEV.adminToken}

ready: Ctrl-C stops all three.`);
