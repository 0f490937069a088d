// The whole stack for the end-to-end tests, on 127.0.0.1: the emulator (served), the built
// worker-proxy (wrangler's bundle, dist/index.js) in workerd through Miniflare with the
// bindings its wrangler.jsonc declares (real local Queues and SQLite Durable Objects), and the
// built page (vite build) served with its config.json and the development sign-in. Secrets
// are random per run, so a scan for them means something.
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import type { Emulator, EmulatorOptions } from "@batch-custom-data/emulator";
import { serve } from "@batch-custom-data/emulator/node";
import { miniflareWorkerOptions } from "@batch-custom-data/test-helpers/node";
import { Miniflare } from "miniflare";
import { devSignIn } from "../scripts/dev-auth.mjs";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
/** The worker-proxy app (override with WORKER_PROXY_DIR to test another checkout's build). */
export const WORKER_PROXY_DIR = process.env.WORKER_PROXY_DIR ?? here("../../worker-proxy");
export const PAGE_DIR = here("../dist");

const secret = (label: string) => `${label}-${randomBytes(16).toString("hex")}`;

export interface Secrets {
  readonly iosKey: string;
  readonly androidKey: string;
  readonly restApiKey: string;
  readonly userTokenSecret: string;
  readonly adminToken: string;
}

export interface Stack {
  readonly secrets: Secrets;
  readonly emulator: Emulator;
  /** The page, e.g. http://127.0.0.1:PORT/ */
  readonly pageUrl: string;
  /** The same page on another origin (localhost), which the proxy does not allow. */
  readonly foreignPageUrl: string;
  readonly proxyUrl: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".json": "application/json",
};

/** Serves the built page, its config.json and the development sign-in; nothing else. */
async function servePage(secrets: Secrets, config: () => object): Promise<Server> {
  const signIn = devSignIn({ userTokenSecret: secrets.userTokenSecret });
  const server = createServer(async (req, res) => {
    try {
      if (await signIn(req, res)) return;
      const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
      if (path === "/config.json") {
        res.writeHead(200, { "content-type": TYPES[".json"]!, "cache-control": "no-store" });
        return res.end(JSON.stringify(config()));
      }
      const file = normalize(join(PAGE_DIR, path === "/" ? "index.html" : path));
      if (!file.startsWith(PAGE_DIR)) return res.writeHead(404).end();
      const body = await readFile(file);
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      if (!res.headersSent) res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

export async function startStack(
  options: { vars?: Record<string, string>; emulator?: EmulatorOptions } = {},
): Promise<Stack> {
  const secrets: Secrets = {
    iosKey: secret("IOS-KEY"),
    androidKey: secret("ANDROID-KEY"),
    restApiKey: secret("REST-KEY"),
    userTokenSecret: secret("user-token-secret"),
    adminToken: secret("admin-token"),
  };
  const served = await serve({
    apps: [secrets.iosKey, secrets.androidKey],
    restApiKey: secrets.restApiKey,
    processingDelayMs: 0,
    seed: 13,
    ...options.emulator,
  });

  let proxyUrl = "";
  const page = await servePage(secrets, () => ({
    proxyUrl,
    tokenUrl: "/__dev/session",
    devSignIn: true,
  }));
  const { port } = page.address() as AddressInfo;
  const pageOrigin = `http://127.0.0.1:${port}`;

  const base = await miniflareWorkerOptions(join(WORKER_PROXY_DIR, "wrangler.jsonc"));
  for (const consumer of Object.values(base.queueConsumers as Record<string, object>)) {
    // Batches close after 1 s instead of 5: the same code paths, a shorter wall time.
    Object.assign(consumer, { maxBatchTimeout: 1 });
  }
  const mf = new Miniflare({
    ...base,
    host: "127.0.0.1",
    port: 0,
    modulesRoot: join(WORKER_PROXY_DIR, "dist"),
    modules: [
      {
        type: "ESModule",
        path: join(WORKER_PROXY_DIR, "dist/index.js"),
        contents: await readFile(join(WORKER_PROXY_DIR, "dist/index.js"), "utf8"),
      },
    ],
    bindings: {
      ...base.bindings,
      BATCH_API_KEY: `ios=${secrets.iosKey},android=${secrets.androidKey}`,
      BATCH_REST_API_KEY: secrets.restApiKey,
      BATCH_BASE_URL: served.baseUrl,
      USER_TOKEN_SECRET: secrets.userTokenSecret,
      ADMIN_TOKEN: secrets.adminToken,
      ALLOWED_ORIGINS: pageOrigin,
      JOB_RETRY_BASE_SECONDS: "1",
      ...options.vars,
    },
  });
  proxyUrl = (await mf.ready).origin;

  return {
    secrets,
    emulator: served.emulator,
    pageUrl: `${pageOrigin}/`,
    foreignPageUrl: `http://localhost:${port}/`,
    proxyUrl,
    async close() {
      await mf.dispose();
      page.closeAllConnections();
      await new Promise((resolve) => page.close(resolve));
      await served.close();
    },
  };
}
