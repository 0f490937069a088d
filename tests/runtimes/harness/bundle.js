// Bundles the emulator's built ESM with hono into one file, for the runtimes that load
// modules by URL or by name and have no node_modules: Deno (no npm resolution asked for),
// workerd and Chromium. platform "neutral": no Node shims, no process.env defines, so a
// Node built-in in the emulator fails the build instead of being papered over.
import { join } from "node:path";
import { build } from "esbuild";
import { emulatorDist } from "./paths.js";

export async function bundleEmulator(outDir) {
  const outfile = join(outDir, "emulator.js");
  await build({
    entryPoints: [emulatorDist()],
    outfile,
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    logLevel: "warning",
  });
  return outfile;
}
