#!/usr/bin/env node
// `pnpm --filter worker-proxy dev`: the emulator on 127.0.0.1 (two apps, demo users seeded)
// and `wrangler dev` (local Queues and Durable Object storage in .wrangler/state) pointed at
// it, with development secrets. Prints a user token and the admin token to try the routes.
// Ctrl-C stops both.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createEmulator } from "@batch-custom-data/emulator";
import { serve } from "@batch-custom-data/emulator/node";
import { SignJWT } from "jose";

const PORT = Number(process.env.PORT ?? 8787);
const EMULATOR_PORT = Number(process.env.EMULATOR_PORT ?? 8788);
// Development values only: production secrets go in with `wrangler secret put`.
const DEV = {
  BATCH_API_KEY: "ios=DEV_IOS_API_KEY,android=DEV_ANDROID_API_KEY",
  BATCH_REST_API_KEY: "DEV_REST_API_KEY",
  USER_TOKEN_SECRET: "dev-user-token-secret-change-me-0123456789",
  ADMIN_TOKEN: "dev-admin-token-change-me-0123456789abcdef",
};

const emulator = createEmulator({
  apps: ["DEV_IOS_API_KEY", "DEV_ANDROID_API_KEY"],
  restApiKey: DEV.BATCH_REST_API_KEY,
});
emulator.seed("DEV_IOS_API_KEY", 1_000);
emulator.seed("DEV_ANDROID_API_KEY", 1_000);
const served = await serve(emulator, { port: EMULATOR_PORT, hostname: "127.0.0.1" });

const vars = { ...DEV, BATCH_BASE_URL: served.baseUrl, JOB_RETRY_BASE_SECONDS: "2" };
const wrangler = spawn(
  fileURLToPath(new URL("../node_modules/.bin/wrangler", import.meta.url)),
  [
    "dev",
    "--local",
    "--ip",
    "127.0.0.1",
    "--port",
    String(PORT),
    "--show-interactive-dev-session=false",
    ...Object.entries(vars).flatMap(([name, value]) => ["--var", `${name}:${value}`]),
  ],
  {
    cwd: fileURLToPath(new URL("..", import.meta.url)),
    stdio: "inherit",
    env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" },
  },
);

const token = await new SignJWT({ sub: "user-1" })
  .setProtectedHeader({ alg: "HS256" })
  .setExpirationTime("12h")
  .sign(new TextEncoder().encode(DEV.USER_TOKEN_SECRET));
const url = `http://127.0.0.1:${PORT}`;
console.log(`
emulator  ${served.baseUrl}  (users user-1 … user-1000 in both apps)
worker    ${url}

  curl -X DELETE ${url}/v1/me -H "Authorization: Bearer ${token}"
  seq 1 500 | sed 's/^/user-/' | curl -X POST ${url}/v1/jobs -H "Authorization: Bearer ${DEV.ADMIN_TOKEN}" -H "Content-Type: text/plain" --data-binary @-
  curl ${url}/v1/jobs/<id> -H "Authorization: Bearer ${DEV.ADMIN_TOKEN}"
`);

let stopping = false;
async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  wrangler.kill("SIGINT");
  await served.close();
  process.exit(code);
}
process.on("SIGINT", () => stop(130));
process.on("SIGTERM", () => stop(143));
wrangler.on("exit", (code) => stop(code ?? 0));
