#!/usr/bin/env node
// Runs a workspace package's Deno suite: the `test` task of its deno.json (which writes down
// the permissions the tests get), plus any node:test files given after `--node`, and writes
// `{ suite, passed, failed }` to the package's `.test-results/<suite>.json` for
// scripts/test-all.mjs. Counts come from the JUnit reports; a suite that did not start, timed
// out or exited non-zero with nothing failed counts as failed, never as zero.
//
//   node ../../scripts/deno-test.mjs <suite> [--node file.test.mjs ...]
//
// The task's command is run here rather than through `deno task`, which puts
// node_modules/.bin first on PATH: there `deno` is npm's Node wrapper around the binary, so a
// test spawning `deno` (under `--allow-run=deno`) would signal the wrapper, not the program.
// Here `deno` is the real binary of the package's `deno` devDependency, first on PATH.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";

const TIMEOUT_MS = 10 * 60_000;
const cwd = process.cwd();
const root = new URL("..", import.meta.url).pathname;
const [suite, ...rest] = process.argv.slice(2);
if (!suite || (rest.length > 0 && rest[0] !== "--node")) {
  console.error("usage: deno-test.mjs <suite> [--node file.test.mjs ...]");
  process.exit(2);
}
const nodeTests = rest.slice(1);

function denoBinary() {
  try {
    const dir = dirname(createRequire(join(cwd, "package.json")).resolve("deno/package.json"));
    if (existsSync(join(dir, "deno"))) return dir;
  } catch {}
  return undefined;
}

const denoDir = denoBinary();
// The tests set the BATCH_* variables they need: none comes from the caller's shell (no real key).
const outside = Object.entries(process.env).filter(([name]) => !name.startsWith("BATCH_"));
const env = {
  ...Object.fromEntries(outside),
  PATH: [denoDir, process.env.PATH].filter(Boolean).join(delimiter),
  DENO_NO_UPDATE_CHECK: "1",
  NO_COLOR: "1",
  RUST_BACKTRACE: "0",
};

/** Exit code, or null when it could not start or was killed; the whole process group dies. */
function run(cmd, args) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd,
      env,
      stdio: ["ignore", "inherit", "inherit"],
      detached: true,
    });
    const kill = () => {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {}
    };
    const timer = setTimeout(() => {
      console.error(`${suite}: ${cmd} killed after ${TIMEOUT_MS / 1000} s`);
      kill();
    }, TIMEOUT_MS);
    process.once("SIGINT", kill);
    child.on("error", (error) => console.error(`${suite}: cannot start ${cmd}: ${error.message}`));
    child.on("close", (code) => {
      clearTimeout(timer);
      process.off("SIGINT", kill);
      resolve(code);
    });
  });
}

/** Test cases and failures of a JUnit report (Deno's or node:test's). */
function junitCounts(file) {
  if (!existsSync(file)) return undefined;
  const xml = readFileSync(file, "utf8");
  let passed = 0;
  let failed = 0;
  for (const [, , body = ""] of xml.matchAll(/<testcase\b[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g)) {
    if (/<(failure|error)\b/.test(body)) failed++;
    else passed++;
  }
  return { passed, failed };
}

// Deno 2.9 rewrites the root package.json (adding `workspaces` from pnpm-workspace.yaml)
// when a module fails to resolve: put it back, and fail the suite saying why.
const guarded = [join(root, "package.json"), join(cwd, "package.json"), join(cwd, "deno.json")];
const before = new Map(guarded.filter(existsSync).map((f) => [f, readFileSync(f, "utf8")]));

const started = Date.now();
const tmp = mkdtempSync(join(tmpdir(), `${suite}-`));
const notes = [];
let passed = 0;
let failed = 0;
const task = JSON.parse(readFileSync(join(cwd, "deno.json"), "utf8")).tasks?.test ?? "";
const [bin, ...taskArgs] = task.trim().split(/\s+/);
if (bin !== "deno" || taskArgs[0] !== "test") {
  console.error(`${suite}: deno.json needs a "test" task starting with "deno test"`);
  process.exit(2);
}
const runs = [
  ["deno", [...taskArgs, `--junit-path=${join(tmp, "deno.xml")}`], join(tmp, "deno.xml")],
];
if (nodeTests.length > 0) {
  const xml = join(tmp, "node.xml");
  const reporters = ["--test-reporter=spec", "--test-reporter-destination=stdout"];
  const junit = ["--test-reporter=junit", `--test-reporter-destination=${xml}`];
  runs.push(["node", ["--test", ...reporters, ...junit, ...nodeTests], xml]);
}
try {
  for (const [cmd, args, report] of runs) {
    const code = await run(cmd, args);
    const counts = junitCounts(report);
    if (!counts) {
      notes.push(`${cmd} did not run its tests (exit ${code ?? "killed"}): see above`);
      failed++;
      continue;
    }
    passed += counts.passed;
    failed += counts.failed;
    if (code !== 0 && counts.failed === 0) {
      notes.push(`${cmd} exited with ${code ?? "a signal"} and no failed test`);
      failed++;
    }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
  for (const [file, text] of before) {
    if (readFileSync(file, "utf8") === text) continue;
    writeFileSync(file, text);
    notes.push(`deno rewrote ${file.slice(root.length)} (a module did not resolve): restored`);
    failed++;
  }
}

const result = { suite, passed, failed, ...(notes.length > 0 ? { notes } : {}) };
mkdirSync(join(cwd, ".test-results"), { recursive: true });
writeFileSync(join(cwd, ".test-results", `${suite}.json`), `${JSON.stringify(result, null, 2)}\n`);
const seconds = ((Date.now() - started) / 1000).toFixed(1);
console.log(`\n${suite}: ${passed} passed, ${failed} failed in ${seconds} s`);
for (const note of notes) console.error(`${suite}: ${note}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
