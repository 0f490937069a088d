#!/usr/bin/env node
// Keeps every deno.json / jsr.json of the workspace in step with the package.json versions
// that `changeset version` just wrote: its `version` (what JSR publishes) and its `npm:`
// specifiers of our own packages (`npm:@batch-custom-data/core@<version>`). Changesets edits
// package.json files only and runs no lifecycle script, so the root's `version-packages`
// script runs this right after it. Edits the text in place, so formatting is kept.
//
//   node packages/deno/scripts/sync-version.mjs [repository root]
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const GROUPS = ["packages", "apps", "tests"];
const CONFIGS = ["deno.json", "deno.jsonc", "jsr.json"];
const SCOPE = "@batch-custom-data/";

const readJson = (file) => JSON.parse(readFileSync(file, "utf8"));

/** Rewrites the configs that lag behind; returns the files it changed. */
export function syncDenoVersions(root) {
  const dirs = GROUPS.flatMap((group) => {
    const dir = join(root, group);
    return existsSync(dir) ? readdirSync(dir).map((name) => join(dir, name)) : [];
  }).filter((dir) => existsSync(join(dir, "package.json")));
  const versions = new Map(
    dirs.map((dir) => readJson(join(dir, "package.json"))).map((p) => [p.name, p.version]),
  );
  const changed = [];
  for (const dir of dirs) {
    const { version } = readJson(join(dir, "package.json"));
    for (const file of CONFIGS.map((name) => join(dir, name)).filter(existsSync)) {
      const text = readFileSync(file, "utf8");
      const next = text
        // The top-level "version" (no config nests another one).
        .replace(/("version"\s*:\s*")[^"]*"/, (_, head) => `${head}${version}"`)
        .replace(/"npm:(@[^/"]+\/[^@/"]+)@[^/"]*((?:\/[^"]*)?)"/g, (match, name, subpath) =>
          name.startsWith(SCOPE) && versions.has(name)
            ? `"npm:${name}@${versions.get(name)}${subpath}"`
            : match,
        );
      if (next !== text) {
        writeFileSync(file, next);
        changed.push(file);
      }
    }
  }
  return changed;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const root = resolve(process.argv[2] ?? new URL("../../..", import.meta.url).pathname);
  const changed = syncDenoVersions(root);
  for (const file of changed) console.log(`synced ${file.slice(root.length + 1)}`);
  if (changed.length === 0) console.log("deno.json versions already in step");
}
