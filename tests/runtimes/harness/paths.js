// Where things are. CORE_DIST swaps the core for another build of it (see README: the
// broken-build check), so every runtime loads exactly the file named here.
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const packageDir = fileURLToPath(new URL("..", import.meta.url));
export const bin = (name) => join(packageDir, "node_modules", ".bin", name);

/** The core's built ESM: CORE_DIST, else what `@batch-custom-data/core` resolves to. */
export function coreDist() {
  const file = process.env.CORE_DIST
    ? resolve(process.env.CORE_DIST)
    : fileURLToPath(import.meta.resolve("@batch-custom-data/core"));
  if (!existsSync(file)) {
    throw new Error(`${file} is missing: pnpm --filter @batch-custom-data/core build`);
  }
  return file;
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
