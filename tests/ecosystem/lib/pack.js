// `pnpm pack` of every public package, as a user's registry would get it: the packed
// package.json (workspace ranges pinned, publish scripts stripped) and the file list come from
// the tarball itself. Packing runs each package's prepack (`turbo run build`: a cache hit once
// the workspace is built), one package at a time so no two builds race on the same dist/.
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { exec } from "./proc.js";

/** Reads a file out of a tarball, without unpacking it to disk. */
export function readFromTarball(tarball, path) {
  return execFileSync("tar", ["xzfO", tarball, `package/${path}`], { encoding: "utf8" });
}

export function tarballFiles(tarball) {
  return execFileSync("tar", ["tzf", tarball], { encoding: "utf8" })
    .split("\n")
    .filter(Boolean)
    .map((f) => f.replace(/^package\//, ""));
}

/** The JSON that `pnpm pack --json` prints after the lifecycle scripts' output. */
function packJson(stdout) {
  const start = stdout.lastIndexOf("\n{\n");
  return JSON.parse(stdout.slice(start === -1 ? 0 : start + 1));
}

/** Packs `packages` into `dir`; returns `{ [name]: { tarball, manifest, files, dir } }`. */
export async function packAll(packages, dir) {
  mkdirSync(dir, { recursive: true });
  const packed = {};
  for (const pkg of packages) {
    const res = await exec("pnpm", ["pack", "--pack-destination", dir, "--json"], {
      cwd: pkg.path,
      timeoutMs: 300_000,
    });
    if (res.code !== 0) {
      throw new Error(`pnpm pack failed in ${pkg.dir} (${res.code}):\n${res.stderr || res.stdout}`);
    }
    const { filename } = packJson(res.stdout);
    packed[pkg.name] = {
      tarball: filename,
      manifest: JSON.parse(readFromTarball(filename, "package.json")),
      files: tarballFiles(filename),
      dir: pkg.dir,
    };
  }
  return packed;
}
