#!/usr/bin/env node
// Proves the matrix has teeth: it runs against copies of the built core that lean on Node
// (createClient reads `process.env`; createClient uses `Buffer`) and checks that workerd and
// Chromium fail them. The copies live in a temp dir (CORE_DIST); nobody's source is touched.
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { coreDist, packageDir } from "./harness/paths.js";

const BREAKS = {
  "process.env": "void process.env.BATCH_DEBUG;",
  Buffer: 'void Buffer.from("x");',
};
/** The runtimes that have neither: a core using them must fail there. */
const MUST_FAIL = ["workerd", "chromium"];
const MARKER = "function createClient(options) {";

/** `entry` and every file of `dir` it imports, directly or not (relative imports only). */
function reachable(dir, entry) {
  const seen = new Set([entry]);
  for (const file of seen) {
    const text = readFileSync(join(dir, file), "utf8");
    for (const [, path] of text.matchAll(/from\s+"\.\/([^"]+)"/g)) seen.add(path);
  }
  return [...seen];
}

const tmp = mkdtempSync(join(tmpdir(), "runtime-guard-"));
const dist = coreDist();
// createClient sits in whichever shared chunk the bundler put it in: follow index.js's own
// imports to it, so a stale chunk left in dist/ by an older build is never the one broken.
const target = reachable(dist, "index.js").find((file) =>
  readFileSync(join(dist, file), "utf8").includes(MARKER),
);
if (!target) throw new Error(`no "${MARKER}" in the core's dist to break`);
const source = readFileSync(join(dist, target), "utf8");

const missed = [];
try {
  for (const [name, snippet] of Object.entries(BREAKS)) {
    const broken = join(tmp, `core-${name}`);
    cpSync(dist, broken, { recursive: true });
    writeFileSync(join(broken, target), source.replace(MARKER, `${MARKER}\n  ${snippet}`));
    const results = join(tmp, `results-${name}`);
    console.log(`\n== core with \`${snippet}\` in createClient`);
    const run = spawnSync(process.execPath, ["run.js"], {
      cwd: packageDir,
      env: { ...process.env, CORE_DIST: broken, RESULTS_DIR: results },
      encoding: "utf8",
    });
    // Each runtime's counts, and its first failing lines.
    const lines = `${run.stdout}${run.stderr}`.split("\n");
    for (const line of lines.filter((l) => /^ {2}\w+: \d+ passed/.test(l))) console.log(line);
    for (const runtime of ["node", "deno", ...MUST_FAIL]) {
      const failing = lines.filter((l) => l.startsWith(`[${runtime}] `) && /✗|error: \w/.test(l));
      for (const line of failing.slice(0, 2)) console.log(line);
    }
    for (const runtime of MUST_FAIL) {
      const { failed } = JSON.parse(readFileSync(join(results, `${runtime}.json`), "utf8"));
      if (!(failed > 0)) missed.push(`${runtime} passed a core using ${name}`);
    }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

console.log(missed.length > 0 ? `\nguard MISSED: ${missed.join("; ")}` : "\nguard works");
process.exitCode = missed.length > 0 ? 1 : 0;
