// workerd: miniflare runs drivers/worker.js with no nodejs_compat, so a Node built-in or
// `process` in the core fails here. One request runs the whole suite and answers JSON.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Miniflare } from "miniflare";
import { packageDir } from "./paths.js";
import { printCases } from "./results.js";

const module = (path, contents = readFileSync(path, "utf8")) => ({
  type: "ESModule",
  path,
  contents,
});

function coreModules(dir, coreDist) {
  const built = readdirSync(coreDist)
    .filter((file) => file.endsWith(".js"))
    .map((file) => module(join(dir, file), readFileSync(join(coreDist, file), "utf8")));
  const reexport = (name, file) => module(name, `export * from "${file}";\n`);
  return [
    ...built,
    reexport(dir, "./core/index.js"),
    reexport(join(dir, "env"), "./env.js"),
    reexport(join(dir, "ids"), "./ids.js"),
  ];
}

export async function runWorkerd({ baseUrl, coreDist, bundles, signal }) {
  const drivers = join(packageDir, "drivers");
  const suite = join(packageDir, "suite");
  const modules = [
    module(join(drivers, "worker.js")),
    ...readdirSync(suite)
      .filter((file) => file.endsWith(".js"))
      .map((file) => module(join(suite, file))),
    // workerd resolves a bare specifier to the module of that name next to the importer, so
    // each core entry is a one-line module there re-exporting the built file; the built files
    // sit together in one directory, where their relative imports of shared chunks resolve.
    ...coreModules(join(drivers, "@batch-custom-data/core"), coreDist),
    // The bundles sit next to the drivers; the suite's imports of them are one-line modules
    // next to the suite re-exporting those (one instance of each module).
    ...Object.entries(bundles).flatMap(([specifier, file]) => [
      module(join(drivers, specifier), readFileSync(file, "utf8")),
      module(join(suite, specifier), `export * from "../../drivers/${specifier}";\n`),
    ]),
  ];
  const mf = new Miniflare({
    modules,
    modulesRoot: packageDir,
    compatibilityDate: "2025-09-01",
    compatibilityFlags: [],
    bindings: { EMULATOR_BASE_URL: baseUrl },
  });
  const dispose = () => mf.dispose().catch(() => {});
  signal.addEventListener("abort", dispose, { once: true });
  try {
    const response = await mf.dispatchFetch("http://localhost/");
    const result = await response.json();
    printCases("workerd", result.results);
    return result;
  } finally {
    signal.removeEventListener("abort", dispose);
    await dispose();
  }
}
