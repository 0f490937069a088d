#!/usr/bin/env node
// The registry's view of every public package: `repository` (with `directory`), `homepage`,
// `bugs`, `author`, `license`, `keywords`, `publishConfig.access`. The repository, bugs and
// author are set once, in the root package.json; every public package copies them (this
// script writes them: `node scripts/package-metadata.mjs --write`), and tests/release checks
// that they agree, so a moved repository is one edit at the root plus `--write`.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { publicPackages, root, rootManifest } from "./workspace.mjs";

/** `https://github.com/owner/name`, from the root's `repository.url`. */
export function repositoryWebUrl(manifest = rootManifest()) {
  const url = manifest.repository?.url;
  if (typeof url !== "string") throw new Error("the root package.json has no repository.url");
  return url.replace(/^git\+/, "").replace(/\.git$/, "");
}

/** The branch whose files the registry pages link to. */
export const DEFAULT_BRANCH = "main";

/** A link that works on the registry's page: the repository's copy of `path` (a file or dir). */
export function repositoryLink(path, { manifest = rootManifest(), anchor = "" } = {}) {
  const clean = path.replace(/^\/+/, "").replace(/\/+$/, "");
  const kind = /\.[a-z]+$/i.test(clean) ? "blob" : "tree";
  const suffix = anchor ? `#${anchor}` : "";
  return `${repositoryWebUrl(manifest)}/${kind}/${DEFAULT_BRANCH}/${clean}${suffix}`;
}

/** The fields a public package at `dir` must carry, derived from the root manifest. */
export function expectedMetadata(dir, manifest = rootManifest()) {
  return {
    license: manifest.license,
    author: manifest.author,
    repository: { type: "git", url: manifest.repository.url, directory: dir },
    homepage: `${repositoryLink(dir, { manifest })}#readme`,
    bugs: manifest.bugs,
    publishConfig: { access: "public" },
  };
}

/** What is wrong with the metadata of each public package (empty when all is right). */
export function metadataProblems(dir = root) {
  const manifest = rootManifest(dir);
  const problems = [];
  for (const field of ["license", "author", "repository", "homepage", "bugs"]) {
    if (manifest[field] === undefined) problems.push(`package.json (root): no "${field}"`);
  }
  if (problems.length > 0) return problems;
  for (const pkg of publicPackages(dir)) {
    const where = `${pkg.dir}/package.json`;
    for (const [field, value] of Object.entries(expectedMetadata(pkg.dir, manifest))) {
      if (JSON.stringify(pkg.manifest[field]) !== JSON.stringify(value)) {
        problems.push(`${where}: "${field}" should be ${JSON.stringify(value)}`);
      }
    }
    const keywords = pkg.manifest.keywords;
    if (!Array.isArray(keywords) || keywords.length === 0 || !keywords.includes("batch")) {
      problems.push(`${where}: "keywords" should be a list that includes "batch"`);
    }
    if (typeof pkg.manifest.description !== "string" || pkg.manifest.description.length < 20) {
      problems.push(`${where}: "description" should say what the package is`);
    }
  }
  return problems;
}

/** Writes the expected fields into every public package.json (after `license`). */
export function writeMetadata(dir = root) {
  const manifest = rootManifest(dir);
  const written = [];
  for (const pkg of publicPackages(dir)) {
    const expected = expectedMetadata(pkg.dir, manifest);
    // The registry fields go right after `description`, in a fixed order; the rest keeps its own.
    const next = {};
    let placed = false;
    for (const [key, value] of Object.entries(pkg.manifest)) {
      if (key in expected) continue;
      next[key] = value;
      if (key === "description") {
        Object.assign(next, expected);
        placed = true;
      }
    }
    if (!placed) Object.assign(next, expected);
    const text = `${JSON.stringify(next, null, 2)}\n`;
    const file = join(pkg.path, "package.json");
    if (readFileSync(file, "utf8") !== text) {
      writeFileSync(file, text);
      written.push(pkg.dir);
    }
  }
  return written;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv.includes("--write")) {
    const written = writeMetadata();
    console.log(written.length > 0 ? `updated: ${written.join(", ")}` : "nothing to update");
  }
  const problems = metadataProblems();
  for (const problem of problems) console.error(problem);
  if (problems.length > 0) {
    console.error("fix: `node scripts/package-metadata.mjs --write` (the root package.json rules)");
    process.exit(1);
  }
  console.log("package metadata: every public package agrees with the root package.json");
}
