// Chromium: Debian's browser, driven by playwright-core, opens a page served from 127.0.0.1
// that loads the built core and the emulator bundle as ES modules (through an import map)
// and runs the suite; the harness reads the results back from `window.conformance`.
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { launchChromium } from "@batch-custom-data/test-helpers/node";
import { packageDir } from "./paths.js";
import { printCases } from "./results.js";

const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>conformance</title>
<link rel="icon" href="data:,">
<script type="importmap">
{ "imports": {
  "@batch-custom-data/core": "/modules/core/index.js",
  "@batch-custom-data/core/env": "/modules/core/env.js",
  "@batch-custom-data/core/ids": "/modules/core/ids.js",
  "@batch-custom-data/emulator": "/modules/emulator.js",
  "@batch-custom-data/test-helpers": "/modules/test-helpers.js"
} }
</script>
<script type="module" src="/drivers/browser.js"></script>
`;

/** Serves the page and exactly the files it needs, nothing else of the disk. */
async function servePage(coreDist, bundles) {
  const files = {
    "/modules/emulator.js": bundles["@batch-custom-data/emulator"],
    "/modules/test-helpers.js": bundles["@batch-custom-data/test-helpers"],
    "/drivers/browser.js": join(packageDir, "drivers/browser.js"),
  };
  for (const file of readdirSync(join(packageDir, "suite")).filter((f) => f.endsWith(".js"))) {
    files[`/suite/${file}`] = join(packageDir, "suite", file);
  }
  // The whole built core: its entries import shared chunks by relative path.
  for (const file of readdirSync(coreDist).filter((f) => f.endsWith(".js"))) {
    files[`/modules/core/${file}`] = join(coreDist, file);
  }
  const server = createServer((req, res) => {
    const path = new URL(req.url, "http://127.0.0.1").pathname;
    if (path === "/") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(PAGE);
    } else if (files[path]) {
      const type = "text/javascript; charset=utf-8";
      res.writeHead(200, { "content-type": type }).end(readFileSync(files[path]));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

export async function runChromium({ baseUrl, coreDist, bundles, signal }) {
  const server = await servePage(coreDist, bundles);
  let browser;
  const close = () => browser?.close().catch(() => {});
  signal.addEventListener("abort", close, { once: true });
  try {
    browser = await launchChromium();
    const page = await browser.newPage();
    let loaded = false;
    // An error before the driver is up means the modules did not load: fail now, not at timeout.
    const broken = new Promise((_, reject) => {
      page.on("pageerror", (error) => {
        console.error(`[chromium] page error: ${error.message}`);
        if (!loaded) reject(new Error(`the page failed to load: ${error.message}`));
      });
    });
    broken.catch(() => {});
    page.on("console", (message) => {
      if (message.type() === "error") console.error(`[chromium] console: ${message.text()}`);
    });
    const origin = `http://127.0.0.1:${server.address().port}`;
    await page.goto(`${origin}/?baseUrl=${encodeURIComponent(baseUrl)}`);
    // The driver sets it as soon as its imports load; if they fail, it never appears.
    const up = page.waitForFunction(() => window.conformance !== undefined, null, {
      timeout: 10_000,
    });
    up.catch(() => {}); // once `broken` won, the closing browser rejects it: nobody listens
    await Promise.race([up, broken]);
    loaded = true;
    const result = await page.evaluate(() => window.conformance);
    printCases("chromium", result.results);
    return result;
  } finally {
    signal.removeEventListener("abort", close);
    await close();
    server.closeAllConnections();
    server.close();
  }
}
