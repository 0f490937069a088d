// The workspace's packages, read from pnpm-workspace.yaml and each package.json: the one list
// that release checks, the ecosystem tests and `pnpm release` share. A package is public when
// its package.json is not `"private": true`; adding one to packages/ is all it takes to have it
// packed, checked and installed by every consumer that asks for it.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

/** The `packages:` globs of pnpm-workspace.yaml (`dir/*` or a plain directory). */
export function workspaceGlobs(dir = root) {
  const yaml = readFileSync(join(dir, "pnpm-workspace.yaml"), "utf8");
  const globs = [];
  let inPackages = false;
  for (const line of yaml.split("\n")) {
    if (/^\S/.test(line)) inPackages = /^packages:\s*$/.test(line);
    else if (inPackages) {
      const item = /^\s+-\s+["']?([^"'#]+?)["']?\s*(#.*)?$/.exec(line);
      if (item) globs.push(item[1]);
    }
  }
  return globs;
}

/** Every workspace package: `{ name, dir (relative to the root), path, manifest, private }`. */
export function workspacePackages(dir = root) {
  const dirs = workspaceGlobs(dir).flatMap((glob) => {
    if (glob.endsWith("/*")) {
      const parent = join(dir, glob.slice(0, -2));
      if (!existsSync(parent)) return [];
      return readdirSync(parent, { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => `${glob.slice(0, -2)}/${entry.name}`);
    }
    if (glob.includes("*")) throw new Error(`pnpm-workspace.yaml: unsupported glob "${glob}"`);
    return [glob];
  });
  return dirs
    .filter((rel) => existsSync(join(dir, rel, "package.json")))
    .sort()
    .map((rel) => {
      const manifest = JSON.parse(readFileSync(join(dir, rel, "package.json"), "utf8"));
      return {
        name: manifest.name,
        dir: rel,
        path: join(dir, rel),
        manifest,
        private: manifest.private === true,
      };
    });
}

/** The packages that get published (not `"private": true`). */
export function publicPackages(dir = root) {
  return workspacePackages(dir).filter((pkg) => !pkg.private);
}

/** The root package.json: the one place the repository, homepage, bugs and author are set. */
export function rootManifest(dir = root) {
  return JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
}
