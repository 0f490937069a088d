/** The end-to-end tests run the BUILT CLI: build it first if dist is missing or older than src. */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export default function setup() {
  if (process.env.BCD_CLI) return; // another build, under test as it is
  const root = fileURLToPath(new URL("..", import.meta.url));
  const cli = join(root, "dist", "cli.js");
  const src = join(root, "src");
  const newest = Math.max(...readdirSync(src).map((f) => statSync(join(src, f)).mtimeMs));
  if (!existsSync(cli) || statSync(cli).mtimeMs < newest) {
    execFileSync("pnpm", ["run", "build"], { cwd: root, stdio: "inherit" });
  }
}
