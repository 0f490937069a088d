// Bundles the packages the suite imports besides the core into one file each, for the
// runtimes that load modules by URL or by name and have no node_modules: Deno (no npm
// resolution asked for), workerd and Chromium. The emulator's built ESM comes with hono; the
// test helpers' portable entry (the keys) is plain ESM. platform "neutral": no Node shims, no
// process.env defines, so a Node built-in in either fails the build instead of being papered
// over.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { emulatorDist } from "./paths.js";

/** Each bare specifier the suite imports (besides the core's), and the file it is bundled from. */
function entries() {
  return {
    "@batch-custom-data/emulator": emulatorDist(),
    "@batch-custom-data/test-helpers": fileURLToPath(
      import.meta.resolve("@batch-custom-data/test-helpers"),
    ),
  };
}

/** `{ specifier: bundled file }`, written into `outDir`. */
export async function bundleModules(outDir) {
  const bundles = {};
  for (const [specifier, entry] of Object.entries(entries())) {
    const outfile = join(outDir, `${specifier.split("/").pop()}.js`);
    await build({
      entryPoints: [entry],
      outfile,
      bundle: true,
      format: "esm",
      platform: "neutral",
      target: "es2022",
      logLevel: "warning",
    });
    bundles[specifier] = outfile;
  }
  return bundles;
}
