// Checks of each packed tarball, before anything installs it: what it holds, what its
// package.json says, publint --strict and arethetypeswrong. One test each per package.
import { builtinModules } from "node:module";
import { readFromTarball } from "./pack.js";
import { exec } from "./proc.js";

const INSTALL_SCRIPTS = ["preinstall", "install", "postinstall", "prepare"];
const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** Every path a manifest points at (main, module, types, bin, exports), without the "./". */
function entryPaths(manifest) {
  const paths = [];
  const walk = (value) => {
    if (typeof value === "string") {
      if (!value.includes("*")) paths.push(value);
    } else if (value && typeof value === "object") Object.values(value).forEach(walk);
  };
  for (const field of ["main", "module", "types", "typings", "bin", "exports"])
    walk(manifest[field]);
  return [...new Set(paths.map((p) => p.replace(/^\.\//, "")))];
}

/** The packages a source text imports (bare specifiers, scoped names kept whole). */
function importedPackages(text) {
  const specifiers = [
    ...text.matchAll(/\bfrom\s*["']([^"'./][^"']*)["']/g),
    ...text.matchAll(/(?<![\w$.#])import\s*\(\s*["']([^"'./][^"']*)["']\s*\)/g),
    ...text.matchAll(/(?<![\w$.#])require\s*\(\s*["']([^"'./][^"']*)["']\s*\)/g),
    ...text.matchAll(/^\s*import\s*["']([^"'./][^"']*)["']/gm),
  ].map((m) => m[1]);
  // Node's built-ins, and modules a runtime provides under its own scheme (cloudflare:workers).
  return specifiers.map((s) =>
    builtins.has(s) || builtins.has(s.split("/")[0]) || /^(cloudflare|bun|deno|workerd):/.test(s)
      ? "(builtin)"
      : s.startsWith("@")
        ? s.split("/").slice(0, 2).join("/")
        : s.split("/")[0],
  );
}

/** What is wrong with a packed tarball (an empty list when nothing is). */
export function contentProblems({ tarball, manifest, files, dir }) {
  const problems = [];
  for (const required of ["package.json", "README.md", "LICENSE"]) {
    if (!files.includes(required)) problems.push(`${required} is not in the tarball`);
  }
  if (!files.some((f) => f.startsWith("dist/"))) problems.push("no dist/: it was packed unbuilt");
  for (const file of files) {
    if (file.endsWith(".map")) problems.push(`${file}: source maps are not published`);
    if (/(^|\/)(src|test)\//.test(file) || /\.test\.[cm]?[jt]s$/.test(file)) {
      problems.push(`${file}: sources and tests are not published`);
    }
  }
  for (const path of entryPaths(manifest)) {
    if (!files.includes(path)) problems.push(`package.json points at ${path}, not in the tarball`);
  }

  const ranges = {
    ...manifest.dependencies,
    ...manifest.peerDependencies,
    ...manifest.optionalDependencies,
  };
  for (const [dep, range] of Object.entries(ranges)) {
    if (String(range).startsWith("workspace:")) problems.push(`${dep}: "${range}" was not pinned`);
  }
  for (const script of INSTALL_SCRIPTS) {
    if (manifest.scripts?.[script]) problems.push(`scripts.${script} would run in users' installs`);
  }
  if (manifest.license !== "MIT") problems.push(`license is ${manifest.license}, not MIT`);
  if (manifest.repository?.directory !== dir) problems.push("repository.directory is wrong");
  for (const field of ["homepage", "bugs", "author", "description", "keywords"]) {
    if (manifest[field] === undefined) problems.push(`no "${field}" in package.json`);
  }
  for (const bin of Object.values(
    typeof manifest.bin === "string" ? { b: manifest.bin } : (manifest.bin ?? {}),
  )) {
    const text = readFromTarball(tarball, bin.replace(/^\.\//, ""));
    if (!text.startsWith("#!/usr/bin/env node")) problems.push(`${bin} has no #!/usr/bin/env node`);
  }

  // dependencies = what the built files import: nothing missing, nothing extra.
  const runtime = new Set();
  const types = new Set();
  for (const file of files.filter((f) => /^dist\/.*\.(c|m)?(js|ts)$/.test(f))) {
    const text = readFromTarball(tarball, file);
    if (/sourceMappingURL=/.test(text)) problems.push(`${file} points at a source map`);
    const target = /\.d\.(c|m)?ts$/.test(file) ? types : runtime;
    for (const name of importedPackages(text)) if (name !== "(builtin)") target.add(name);
  }
  const declared = new Set(Object.keys(ranges));
  for (const name of new Set([...runtime, ...types])) {
    if (!declared.has(name)) problems.push(`dist imports ${name}, which is not a dependency`);
  }
  for (const name of Object.keys(manifest.dependencies ?? {})) {
    if (!runtime.has(name) && !types.has(name)) {
      problems.push(`dependency ${name} is never imported: a devDependency?`);
    }
  }
  return problems;
}

/** publint --strict on the tarball: problems as text, empty when clean. */
export async function publint(tool, tarball) {
  const res = await exec(tool, ["run", tarball, "--strict"], { timeoutMs: 120_000 });
  return res.code === 0 ? [] : [`${res.stdout}${res.stderr}`.trim()];
}

/** Whether the manifest declares types at all (a bin-only package has none to check). */
export function declaresTypes(manifest) {
  return (
    JSON.stringify([manifest.types, manifest.typings, manifest.exports]).includes('"types"') ||
    typeof manifest.types === "string"
  );
}

/**
 * The attw profile: "node16" (node16/nodenext from ESM and CJS, bundler) for packages that
 * ship CommonJS too, "esm-only" for those that ship ES modules only (the Deno adapter). The
 * "node10" resolution (TypeScript's old `moduleResolution: node`, which ignores `exports`) is
 * left out either way: it is deprecated and cannot see subpath exports.
 */
export function attwProfile(manifest) {
  const text = JSON.stringify([manifest.main, manifest.exports]);
  return /"require"|\.cjs"/.test(text) ? "node16" : "esm-only";
}

/** arethetypeswrong on the tarball, with the package's profile (see attwProfile). */
export async function attw(tool, tarball, manifest) {
  const profile = attwProfile(manifest);
  const res = await exec(tool, [tarball, "--profile", profile, "--format", "json"], {
    timeoutMs: 120_000,
  });
  let report;
  try {
    report = JSON.parse(res.stdout);
  } catch {
    return [`attw did not answer JSON (${res.code}): ${res.stderr.slice(-500)}`];
  }
  // `problems` is keyed by kind ({ FalseESM: [{ kind, entrypoint, resolutionKind, … }] }) and
  // lists the node10 resolution's too, which the profile ignores (and the exit code with it).
  const problems = Object.values(report.problems ?? {})
    .flat()
    .filter((p) => p.resolutionKind !== "node10")
    .filter((p) => profile !== "esm-only" || p.resolutionKind !== "node16-cjs")
    .map((p) =>
      [p.kind, p.entrypoint, p.resolutionKind, p.typesFileName?.replace(/^.*\/dist\//, "dist/")]
        .filter(Boolean)
        .join(" "),
    );
  if (res.code !== 0 && problems.length === 0) problems.push(`attw exited ${res.code}`);
  if (report.analysis?.types === false) problems.push("attw found no types");
  return problems;
}
