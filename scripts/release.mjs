#!/usr/bin/env node
// `pnpm release`: build, run every test, then `changeset publish` (each public package that
// is not on the registry at its version yet is published by `pnpm publish`, which packs it
// with its prepack build, and tagged in git). The release workflow runs it once the version PR
// of changesets/action is merged. `pnpm release --dry-run` does everything but the upload:
// the same checks, build and tests, then `pnpm publish --dry-run` of every public package.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { publicPackages, root } from "./workspace.mjs";

const dryRun = process.argv.includes("--dry-run");
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: "1" };

function step(label, cmd, args) {
  console.log(`\n== release: ${label}: ${cmd} ${args.join(" ")}`);
  const { status } = spawnSync(cmd, args, { cwd: root, env, stdio: "inherit" });
  if (status !== 0) {
    console.error(`release: ${label} failed (exit ${status}); nothing was published`);
    process.exit(status || 1);
  }
}

function refuse(message) {
  console.error(`release: ${message}`);
  process.exit(2);
}

// What would go wrong at the registry is caught before anything is built.
const pending = readdirSync(join(root, ".changeset")).filter(
  (f) => f.endsWith(".md") && f !== "README.md",
);
if (pending.length > 0 && !dryRun) {
  refuse(
    `${pending.length} changesets are not versioned yet (${pending.join(", ")}): run \`pnpm run version-packages\` and commit (the release workflow opens that PR), then release.`,
  );
}
const packages = publicPackages();
const versions = new Set(packages.map((p) => p.manifest.version));
if (versions.size !== 1) {
  refuse(
    `the public packages are at different versions (${[...versions].join(", ")}): they are one fixed group`,
  );
}
if (versions.has("0.0.0") && !dryRun) {
  refuse("every package is at 0.0.0, which is never published: version them first.");
}

step("build", "pnpm", ["exec", "turbo", "run", "build"]);
step("test", "node", [join(root, "scripts", "test-all.mjs")]);
if (dryRun) {
  step("publish (dry run: packs and checks every package, uploads nothing)", "pnpm", [
    "publish",
    "--recursive",
    "--dry-run",
    "--no-git-checks",
    "--access",
    "public",
    "--tag",
    "latest",
  ]);
  console.log(
    `\nrelease: dry run done: ${packages.map((p) => `${p.name}@${p.manifest.version}`).join(", ")} would be published${pending.length > 0 ? ` (after versioning ${pending.length} pending changesets)` : ""}.`,
  );
} else {
  step("publish", "pnpm", ["exec", "changeset", "publish"]);
}
