// A fresh consumer project: the consumer's own files in a new directory, a package.json that
// depends on our tarballs (never the workspace), and `npm install` with the one npm cache all
// consumers share (`--prefer-offline`: registry packages seen once are not fetched again).
import { cpSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { exec } from "./proc.js";

/**
 * Creates `dir` from `fixtures` (copied in order) and installs `packages` (our package names,
 * from `packed`) plus `registry` (`{ name: version }` from the npm registry).
 */
export async function createConsumer(dir, { fixtures, packages, registry = {}, packed }) {
  for (const fixture of fixtures) cpSync(fixture, dir, { recursive: true });
  const manifestFile = join(dir, "package.json");
  const manifest = existsSync(manifestFile)
    ? JSON.parse(readFileSync(manifestFile, "utf8"))
    : { name: "consumer", private: true };
  const fileOf = (name) => {
    if (!packed[name]) throw new Error(`no tarball for ${name}: is it a public workspace package?`);
    return `file:${packed[name].tarball}`;
  };
  manifest.dependencies = Object.fromEntries(packages.map((name) => [name, fileOf(name)]));
  if (Object.keys(registry).length > 0) manifest.devDependencies = registry;
  // Our packages depend on each other by version: resolve every one of them to its tarball,
  // so nothing of ours ever comes from the registry.
  manifest.overrides = Object.fromEntries(Object.keys(packed).map((name) => [name, fileOf(name)]));
  writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
  const res = await exec(
    "npm",
    ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"],
    { cwd: dir, timeoutMs: 300_000, env: { ...process.env, npm_config_update_notifier: "false" } },
  );
  if (res.code !== 0) {
    throw new Error(`npm install failed (${res.code ?? "killed"}):\n${res.stderr.slice(-2000)}`);
  }
  return res.ms;
}
