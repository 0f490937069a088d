// Node: vitest runs drivers/node.test.js in a child process; its JSON report gives the counts.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "./child.js";
import { bin, packageDir } from "./paths.js";

export async function runNode({ baseUrl, coreDist, tmp, signal }) {
  const report = join(tmp, "vitest-node.json");
  const args = ["run", "--config", "vitest.config.js", "--reporter=default", "--reporter=json"];
  const code = await run("node", bin("vitest"), [...args, `--outputFile.json=${report}`], {
    cwd: packageDir,
    env: { ...process.env, EMULATOR_BASE_URL: baseUrl, CORE_DIST: coreDist, NO_COLOR: "1" },
    signal,
  });
  const json = existsSync(report) ? JSON.parse(readFileSync(report, "utf8")) : {};
  return { passed: json.numPassedTests, failed: json.numFailedTests, exitCode: code };
}
