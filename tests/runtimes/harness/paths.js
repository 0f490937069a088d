// Where things are. CORE_DIST swaps the core for another build of it (see README: the
// broken-build check), so every runtime loads exactly the files named here.
import { existsSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const packageDir = fileURLToPath(new URL("..", import.meta.url));
export const bin = (name) => join(packageDir, "node_modules", ".bin", name);

/**
 * The directory of the core's built ESM (its entries share chunks, so a runtime loads the
 * directory, not one file): CORE_DIST (a directory, or a file in it), else the workspace's.
 */
export function coreDist() {
  const given = process.env.CORE_DIST && resolve(process.env.CORE_DIST);
  const dir = given
    ? existsSync(given) && statSync(given).isDirectory()
      ? given
      : dirname(given)
    : dirname(fileURLToPath(import.meta.resolve("@batch-custom-data/core")));
  for (const file of Object.values(coreEntries(dir))) {
    if (!existsSync(file)) {
      throw new Error(`${file} is missing: pnpm --filter @batch-custom-data/core build`);
    }
  }
  return dir;
}

/** The core's public entry points (package.json `exports`), as files of its dist directory. */
export function coreEntries(dir) {
  return {
    "@batch-custom-data/core": join(dir, "index.js"),
    "@batch-custom-data/core/env": join(dir, "env.js"),
    "@batch-custom-data/core/ids": join(dir, "ids.js"),
  };
}

/** The emulator's built ESM (it imports hono, so runtimes without node_modules get a bundle). */
export function emulatorDist() {
  const file = fileURLToPath(import.meta.resolve("@batch-custom-data/emulator"));
  if (!existsSync(file)) {
    throw new Error(`${file} is missing: pnpm --filter @batch-custom-data/emulator build`);
  }
  return file;
}

/** Where each runtime's `{ suite, passed, failed }` goes; the root aggregator reads it. */
export const resultsDir = process.env.RESULTS_DIR
  ? resolve(process.env.RESULTS_DIR)
  : join(packageDir, ".test-results");
