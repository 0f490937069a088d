// Deno: `deno test` on drivers/deno.test.js, with an import map to the built files and only
// the permission the suite needs, the network to 127.0.0.1 (loading modules needs no read
// permission). Its JUnit report gives the counts.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { run } from "./child.js";
import { bin, coreEntries, packageDir } from "./paths.js";

export async function runDeno({ baseUrl, coreDist, bundles, tmp, signal }) {
  const importMap = join(tmp, "deno-import-map.json");
  const imports = {};
  for (const [specifier, file] of Object.entries({ ...coreEntries(coreDist), ...bundles })) {
    imports[specifier] = pathToFileURL(file).href;
  }
  writeFileSync(importMap, JSON.stringify({ imports }));
  const junit = join(tmp, "deno-junit.xml");
  const args = [
    "test",
    "--no-config", // ignore the workspace's package.json: resolve through the import map only
    "--no-lock", // write no deno.lock into the tree
    `--import-map=${importMap}`,
    "--allow-net=127.0.0.1",
    `--junit-path=${junit}`,
    "drivers/deno.test.js",
    "--",
    baseUrl,
  ];
  const code = await run("deno", bin("deno"), args, {
    cwd: packageDir,
    env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
    signal,
  });
  return { ...junitCounts(junit), exitCode: code };
}

/** `<testsuites tests="N" failures="N" errors="N">` of Deno's JUnit report. */
function junitCounts(file) {
  if (!existsSync(file)) return {};
  const root = readFileSync(file, "utf8").match(/<testsuites\b[^>]*>/)?.[0] ?? "";
  const attr = (name) => Number(root.match(new RegExp(`\\b${name}="(\\d+)"`))?.[1] ?? 0);
  const failed = attr("failures") + attr("errors");
  return { passed: attr("tests") - failed, failed };
}
