// The forge's workflow files are valid (action-validator checks them against GitHub's
// schema, offline) and the release workflow runs the commands this repository defines.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { root, rootManifest } from "../../scripts/workspace.mjs";

const dir = join(root, ".github", "workflows");
const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
const validator = join(import.meta.dirname, "node_modules", ".bin", "action-validator");

describe("workflow files", () => {
  it.each(files)("%s is a valid GitHub Actions workflow", (file) => {
    expect(() => execFileSync(validator, [join(dir, file)], { stdio: "pipe" })).not.toThrow();
  });

  it("the validator refuses a broken workflow (so the check above can fail)", () => {
    const broken = join(import.meta.dirname, "fixtures", "broken-workflow.yml");
    expect(() => execFileSync(validator, [broken], { stdio: "pipe" })).toThrow();
  });

  it("release.yml versions and publishes with changesets/action and this repository's scripts", () => {
    const text = readFileSync(join(dir, "release.yml"), "utf8");
    const { scripts } = rootManifest();
    expect(text).toMatch(/uses: changesets\/action@v1/);
    expect(text).toMatch(/^\s+version: pnpm run version-packages$/m);
    expect(text).toMatch(/^\s+publish: pnpm release$/m);
    expect(text).toMatch(/npm install -g pnpm@12\.4\.2/);
    expect(text).toMatch(/pnpm install --frozen-lockfile/);
    expect(scripts["version-packages"]).toMatch(/^changeset version( |$)/);
    expect(scripts.release).toBe("node scripts/release.mjs");
    expect(rootManifest().packageManager).toBe("pnpm@12.4.2");
  });
});
