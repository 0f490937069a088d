// A page bundled by esbuild from the consumer's own node_modules (platform "browser"), served
// on 127.0.0.1 and opened in Chromium by playwright-core. The browser is Debian's
// /usr/bin/chromium, or the one CHROMIUM_PATH names; it is never downloaded.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { chromiumMissing, launchChromium } from "@batch-custom-data/test-helpers/node";
import { build } from "esbuild";

function servePage(dir) {
  const files = {
    "/": ["index.html", "text/html; charset=utf-8"],
    "/dist/bundle.js": ["dist/bundle.js", "text/javascript; charset=utf-8"],
  };
  const server = createServer((req, res) => {
    const file = files[new URL(req.url, "http://127.0.0.1").pathname];
    if (!file) return res.writeHead(404).end();
    res.writeHead(200, { "content-type": file[1] }).end(readFileSync(join(dir, file[0])));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

export async function runChromium(dir, config) {
  const missing = chromiumMissing();
  if (missing) throw new Error(missing);
  await build({
    entryPoints: [join(dir, "src/main.js")],
    absWorkingDir: dir,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    outfile: join(dir, "dist/bundle.js"),
    logLevel: "silent",
  });
  const server = await servePage(dir);
  let browser;
  try {
    browser = await launchChromium();
    const page = await browser.newPage();
    // The scenario reports its own failures in window.result; an uncaught page error means the
    // bundle itself did not load: fail at once rather than at the timeout.
    const crashed = new Promise((_, reject) => {
      page.on("pageerror", (error) =>
        reject(new Error(`the page failed to load: ${error.message}`)),
      );
    });
    const origin = `http://127.0.0.1:${server.address().port}`;
    await page.goto(`${origin}/?config=${encodeURIComponent(JSON.stringify(config))}`);
    const reported = page.waitForFunction(() => window.result !== undefined, null, {
      timeout: 30_000,
    });
    reported.catch(() => {}); // once `crashed` won, closing the browser rejects it: nobody listens
    await Promise.race([reported, crashed]);
    const result = await page.evaluate(() => window.result);
    if (!result.ok) throw new Error(`the page failed: ${result.error}`);
    return result;
  } finally {
    await browser?.close().catch(() => {});
    server.closeAllConnections();
    server.close();
  }
}
