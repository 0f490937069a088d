#!/usr/bin/env node
// Entry point of the root scripts (`npm run demo`, `npm test`, `npm run bench`, or the same
// through pnpm). A fresh clone on a machine with only Node 20 and npm gets what it needs
// first: pnpm 12.4.2 (into .tools/, the system is left alone), the workspace's packages
// (`pnpm install --frozen-lockfile`), and for the tests Debian's Chromium. Then it runs the task.
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { delimiter, join } from "node:path";

const PNPM_VERSION = "12.4.2";
const root = new URL("..", import.meta.url).pathname;
const tools = join(root, ".tools");
const env = {
  ...process.env,
  PATH: [join(tools, "node_modules", ".bin"), process.env.PATH].join(delimiter),
  TURBO_TELEMETRY_DISABLED: "1",
  DENO_NO_UPDATE_CHECK: "1",
  NO_UPDATE_NOTIFIER: "1",
};

function sh(cmd, args, { quiet = false } = {}) {
  const res = spawnSync(cmd, args, { cwd: root, env, stdio: quiet ? "pipe" : "inherit" });
  return { ok: res.status === 0, status: res.status ?? 1, out: String(res.stdout ?? "").trim() };
}

function ensurePnpm() {
  if (sh("pnpm", ["--version"], { quiet: true }).out === PNPM_VERSION) return;
  console.error(`> installing pnpm ${PNPM_VERSION} into .tools/ (once)`);
  const res = sh("npm", [
    "install",
    "--prefix",
    tools,
    "--no-save",
    "--no-audit",
    "--no-fund",
    `pnpm@${PNPM_VERSION}`,
  ]);
  if (!res.ok)
    fail(
      `could not install pnpm ${PNPM_VERSION}: run \`npm install -g pnpm@${PNPM_VERSION}\` and retry`,
    );
}

function ensureInstall() {
  const marker = join(root, "node_modules", ".modules.yaml");
  const lock = join(root, "pnpm-lock.yaml");
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  console.error("> pnpm install --frozen-lockfile");
  if (!sh("pnpm", ["install", "--frozen-lockfile"]).ok) fail("pnpm install failed (see above)");
}

/**
 * The browser suites need Chromium: CHROMIUM_PATH when set, else Debian's /usr/bin/chromium,
 * installed with apt-get when this runs as root. Nothing here needs root: without a Chromium,
 * everything else still runs and the Chromium suites fail (and are counted), after this
 * message says what is missing and how to get it.
 */
function ensureChromium() {
  const explicit = process.env.CHROMIUM_PATH;
  if (explicit) {
    if (!existsSync(explicit)) {
      warn(
        `CHROMIUM_PATH=${explicit} does not exist: the Chromium suites will fail. Point it at a Chromium or Chrome binary, or unset it to use /usr/bin/chromium.`,
      );
    }
    return;
  }
  if (existsSync("/usr/bin/chromium")) return;
  const isRoot = process.getuid?.() === 0;
  if (isRoot && existsSync("/usr/bin/apt-get")) {
    console.error("> apt-get install -y chromium (about a minute, once)");
    const apt = { ...env, DEBIAN_FRONTEND: "noninteractive" };
    const ok =
      spawnSync("apt-get", ["update", "-qq"], { env: apt, stdio: "inherit" }).status === 0 &&
      spawnSync("apt-get", ["install", "-y", "-qq", "chromium"], { env: apt, stdio: "inherit" })
        .status === 0;
    if (ok) return;
  }
  warn(
    [
      `Chromium is missing: no /usr/bin/chromium${isRoot ? " and apt-get could not install it" : ", and installing Debian's package needs root"}.`,
      "Everything else runs; the Chromium suites (tests/runtimes, tests/ecosystem) fail until either",
      "  - an administrator installs it: apt-get install -y chromium",
      "  - or you point CHROMIUM_PATH at a Chromium or Chrome binary you have (no root needed):",
      "    CHROMIUM_PATH=/path/to/chrome npm test",
    ].join("\n"),
  );
}

function warn(message) {
  console.error(`warning: ${message}`);
}

function fail(message) {
  console.error(`error: ${message}`);
  process.exit(2);
}

const [task, ...args] = process.argv.slice(2);
const tasks = {
  demo: () => [
    ["pnpm", ["exec", "turbo", "run", "build", "--filter=./apps/node-demo..."]],
    ["pnpm", ["--filter", "@batch-custom-data/node-demo", "run", "demo", ...args]],
  ],
  // turbo's `bench` task builds what the benchmarks import first (dependsOn ^build).
  bench: () => [
    ["pnpm", ["exec", "turbo", "run", "bench", "--filter=@batch-custom-data/bench", "--", ...args]],
  ],
  test: () => {
    ensureChromium();
    return [["node", [join(root, "scripts", "test-all.mjs"), ...args]]];
  },
};
if (!tasks[task]) fail(`unknown task "${task}": one of ${Object.keys(tasks).join(", ")}`);

ensurePnpm();
ensureInstall();
for (const [cmd, cmdArgs] of tasks[task]()) {
  const { ok, status } = sh(cmd, cmdArgs);
  if (!ok) process.exit(status);
}
