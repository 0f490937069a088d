#!/usr/bin/env node
// Runs this app's wrangler (4.86.0: the last that runs on Node 20) without telemetry or
// Cloudflare API lookups, so builds work offline: `node scripts/wrangler.mjs deploy --dry-run`.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const bin = fileURLToPath(new URL("../node_modules/.bin/wrangler", import.meta.url));
const { status } = spawnSync(bin, process.argv.slice(2), {
  stdio: "inherit",
  env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" },
});
process.exit(status ?? 1);
