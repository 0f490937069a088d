// Debian's Chromium (CHROMIUM_PATH, else /usr/bin/chromium), never a downloaded browser, with
// the flags every browser suite of the project launches it with.
import { existsSync } from "node:fs";

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export function chromiumPath() {
  return process.env.CHROMIUM_PATH || "/usr/bin/chromium";
}

/** playwright's launch options: the binary and the flags. */
export function chromiumLaunchOptions() {
  return { executablePath: chromiumPath(), args: [...CHROMIUM_ARGS] };
}

/**
 * Why Chromium cannot run here, or undefined when it can.
 * @returns {string | undefined}
 */
export function chromiumMissing() {
  const path = chromiumPath();
  if (existsSync(path)) return undefined;
  return process.env.CHROMIUM_PATH
    ? `CHROMIUM_PATH=${path} does not exist`
    : "no Chromium at /usr/bin/chromium: install Debian's package (as root: apt-get install -y chromium) or set CHROMIUM_PATH to a Chromium or Chrome binary";
}

/**
 * Chromium through playwright-core (loaded only when asked for).
 * @returns {Promise<import("playwright-core").Browser>}
 */
export async function launchChromium() {
  const { chromium } = await import("playwright-core");
  return chromium.launch(chromiumLaunchOptions());
}
