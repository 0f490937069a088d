#!/usr/bin/env node
// The one test command (`pnpm test`): lint, typecheck, build, every suite in every runtime
// (tests/ecosystem also packs every public package and runs publint and arethetypeswrong on
// the tarballs), the size budget, then one closing line `ci: N passed, N failed` summed over
// all suites.
// Each suite writes its counts to `<package>/.test-results/*.json`, either vitest's JSON
// report or `{ "suite": "...", "passed": N, "failed": N }` from our own runners (deno,
// workerd, chromium), so this script only has to add them up.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: "1", DENO_NO_UPDATE_CHECK: "1" };
const groups = ["packages", "apps", "tests"];

function packageDirs() {
  return groups.flatMap((g) => {
    const dir = join(root, g);
    return existsSync(dir) ? readdirSync(dir).map((name) => join(dir, name)) : [];
  });
}

function run(label, cmd, args) {
  console.log(`\n== ${label}: ${cmd} ${args.join(" ")}`);
  const { status } = spawnSync(cmd, args, { cwd: root, env, stdio: "inherit" });
  return status === 0;
}

for (const dir of packageDirs())
  rmSync(join(dir, ".test-results"), { recursive: true, force: true });

const steps = [
  ["lint", "pnpm", ["exec", "biome", "ci", "."]],
  ["build", "pnpm", ["exec", "turbo", "run", "build"]],
  ["typecheck", "pnpm", ["exec", "turbo", "run", "typecheck", "--continue"]],
  // A package's own pre-publish checks (e.g. deno publish --dry-run); publint and
  // arethetypeswrong on every public package's tarball run in tests/ecosystem.
  ["package lint", "pnpm", ["exec", "turbo", "run", "lint:package", "--continue"]],
  ["test", "pnpm", ["exec", "turbo", "run", "test", "--continue", "--concurrency=1"]],
  ["size", "pnpm", ["--filter", "@batch-custom-data/core", "run", "size"]],
  // Proves the runtime matrix still catches a Node built-in slipping into the core.
  ["runtime guard", "pnpm", ["--filter", "@batch-custom-data/runtime-tests", "run", "guard"]],
];
const stepFailures = steps.filter(([label, cmd, args]) => !run(label, cmd, args)).map(([l]) => l);

let passed = 0;
let failed = 0;
const lines = [];
for (const dir of packageDirs()) {
  const resultsDir = join(dir, ".test-results");
  if (!existsSync(resultsDir)) continue;
  for (const file of readdirSync(resultsDir).filter((f) => f.endsWith(".json"))) {
    const data = JSON.parse(readFileSync(join(resultsDir, file), "utf8"));
    const p = data.numPassedTests ?? data.passed ?? 0;
    const f = data.numFailedTests ?? data.failed ?? 0;
    passed += p;
    failed += f;
    lines.push(`${dir.slice(root.length)}/${file}: ${p} passed, ${f} failed`);
  }
}
console.log(`\n== suites\n${lines.join("\n")}`);
if (stepFailures.length > 0) console.log(`steps that failed: ${stepFailures.join(", ")}`);
// A failed step with no failing test (a lint error, a crash before the report) still counts.
if (stepFailures.length > 0 && failed === 0) failed = stepFailures.length;
console.log(`ci: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 || stepFailures.length > 0 || passed === 0 ? 1 : 0);
