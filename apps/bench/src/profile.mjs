#!/usr/bin/env node
// Profiles one SDK run and one raw-fetch run (node --cpu-prof) against the same emulator and
// prints where each spends its CPU: self time by function, then by package.
//   pnpm --filter @batch-custom-data/bench run profile [-- --ids 1000000]
// The .cpuprofile files stay in results/profiles/ (git-ignored) for Chrome DevTools.
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { startEmulator } from "./emulator.mjs";
import {
  API_KEY,
  BENCH_DIR,
  fmtMs,
  installCleanup,
  killChildren,
  lastJson,
  REPO_DIR,
  REST_API_KEY,
  run,
} from "./util.mjs";

const argv = process.argv.slice(2);
const at = argv.indexOf("--ids");
const ids = Math.min(at >= 0 ? Number(argv[at + 1]) : 1_000_000, 5_000_000);
const top = 18;
installCleanup();

const outDir = join(BENCH_DIR, "results", "profiles");
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });

/** Self time (ms) by key from a V8 .cpuprofile. */
function selfTimes(profile, keyOf) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]);
    const key = keyOf(node.callFrame);
    totals.set(key, (totals.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  }
  return [...totals].sort((a, b) => b[1] - a[1]);
}

function where({ url }) {
  if (!url) return "(native / V8)";
  if (url.startsWith("node:")) return url.split("/").slice(0, 2).join("/");
  const path = url.replace(/^file:\/\//, "");
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1];
  if (path.includes("packages/core/")) return "@batch-custom-data/core";
  return pkg ?? relative(REPO_DIR, path);
}

function fn(frame) {
  const name = frame.functionName || "(anonymous)";
  if (!frame.url) return name;
  const path = frame.url.replace(/^file:\/\//, "");
  const short = path.includes("/packages/")
    ? path.slice(path.indexOf("/packages/") + 1)
    : where(frame);
  return `${name}  ${short}:${frame.lineNumber + 1}`;
}

const emulator = await startEmulator();
try {
  for (const kind of ["raw", "sdk"]) {
    const dir = join(outDir, kind);
    await emulator.call("seed", { count: ids });
    const config = {
      baseUrl: emulator.baseUrl,
      apiKey: API_KEY,
      restApiKey: REST_API_KEY,
      ids,
      concurrency: 4,
      // The raw loop builds its bodies in the clock, as in the headline comparison.
      buildInClock: true,
    };
    const result = await run(
      process.execPath,
      [
        "--cpu-prof",
        `--cpu-prof-dir=${dir}`,
        "--cpu-prof-interval=100",
        join(BENCH_DIR, "src", `${kind}-child.mjs`),
        JSON.stringify(config),
      ],
      { timeoutMs: 120_000 },
    );
    await emulator.call("end");
    if (result.code !== 0) throw new Error(`${kind} child failed: ${result.stderr}`);
    const r = lastJson(result.stdout);
    const file = join(dir, readdirSync(dir)[0]);
    const profile = JSON.parse(readFileSync(file, "utf8"));
    console.log(
      `\n## ${kind}: ${ids.toLocaleString("en-US")} ids, wall ${fmtMs(r.wallMs)} ms, CPU ${fmtMs(r.cpuUserMs + r.cpuSysMs)} ms (timed part); whole process profiled (${relative(BENCH_DIR, file)})`,
    );
    console.log("\nself time by package:");
    for (const [key, ms] of selfTimes(profile, where).slice(0, 10)) {
      console.log(`  ${fmtMs(ms).padStart(7)} ms  ${key}`);
    }
    console.log("\nself time by function:");
    for (const [key, ms] of selfTimes(profile, fn).slice(0, top)) {
      console.log(`  ${fmtMs(ms).padStart(7)} ms  ${key}`);
    }
  }
} finally {
  await emulator.close();
  killChildren();
}
