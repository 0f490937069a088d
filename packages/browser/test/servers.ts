// Node side of the Chromium tests: real HTTP servers on 127.0.0.1 for what only a network can
// show. `/open/…` answers like the proxy with CORS for any origin; `/closed/…` answers the
// same with no CORS headers (a proxy whose ALLOWED_ORIGINS lacks the page); `downUrl` is a
// port nobody listens on any more (a proxy that is down).
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    proxyUrl: string;
    downUrl: string;
  }
}

// `/page/`: the built package in a plain page, its imports mapped to the built files.
// (Paths by hand: vitest's module runner has no import.meta.resolve, and ky has no `require`.)
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const MODULES: Record<string, string> = {
  browser: here("../dist"),
  core: here("../node_modules/@batch-custom-data/core/dist"),
  ky: here("../node_modules/ky/distribution"),
};
const PAGE = `<!doctype html><meta charset="utf-8"><title>offline</title><link rel="icon" href="data:,">
<script type="importmap">{ "imports": {
  "@batch-custom-data/core": "/page/modules/core/index.js",
  "@batch-custom-data/core/env": "/page/modules/core/env.js",
  "@batch-custom-data/core/ids": "/page/modules/core/ids.js",
  "ky": "/page/modules/ky/index.js"
} }</script>
<script type="module">
import { createProxyClient } from "/page/modules/browser/browser.js";
window.deleteMe = async (url, token) => {
  try {
    await createProxyClient({ url, token, retry: false }).deleteMe();
    return { ok: true, onLine: navigator.onLine };
  } catch (error) {
    return { ok: false, name: error.name, message: error.message, onLine: navigator.onLine };
  }
};
window.ready = true;
</script>`;

function servePage(path: string, res: ServerResponse) {
  if (path === "/") return res.writeHead(200, { "content-type": "text/html" }).end(PAGE);
  const [, , name, ...file] = path.split("/");
  const root = MODULES[name ?? ""];
  const target = root && normalize(join(root, ...file));
  if (!root || !target?.startsWith(root) || !target.endsWith(".js"))
    return res.writeHead(404).end();
  res.writeHead(200, { "content-type": "text/javascript" }).end(readFileSync(target));
}

function handle(req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  const [, mode, ...rest] = url.pathname.split("/");
  if (mode === "page") return servePage(`/${rest.join("/")}`, res);
  const path = `/${rest.join("/")}`;
  if (mode === "open" && req.headers.origin) {
    res.setHeader("Access-Control-Allow-Origin", req.headers.origin);
    res.setHeader("Access-Control-Allow-Headers", "Authorization, Content-Type");
    res.setHeader("Access-Control-Allow-Methods", "GET, POST, DELETE");
    res.setHeader("Access-Control-Expose-Headers", "Location, Retry-After");
    res.setHeader("Vary", "Origin");
  }
  if (req.method === "OPTIONS") return res.writeHead(204).end();
  const json = (status: number, body: unknown) =>
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  if (req.method === "DELETE" && path === "/v1/me") {
    if (!/^Bearer \S+$/.test(req.headers.authorization ?? "")) {
      return json(401, {
        error: { code: "UNAUTHORIZED", message: "Send Authorization: Bearer <token>." },
      });
    }
    return json(200, { tokens: [{ app: "ios", token: "tok-ios" }] });
  }
  if (path === "/v1/jobs/redirect")
    return res.writeHead(302, { location: "https://example.com/" }).end();
  json(404, { error: { code: "NOT_FOUND", message: `No route ${req.method} ${path}.` } });
}

async function listen(handler = handle) {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

export default async function setup(project: TestProject) {
  const server = await listen();
  const down = await listen();
  const downPort = (down.address() as AddressInfo).port;
  await new Promise((resolve) => down.close(resolve));
  project.provide("proxyUrl", `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  project.provide("downUrl", `http://127.0.0.1:${downPort}`);
  return async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
}
