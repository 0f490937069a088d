// Every public package carries what the registry shows and what its tarball needs, derived
// from the root package.json (the one place the repository URL is written).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { metadataProblems } from "../../scripts/package-metadata.mjs";
import { publicPackages, root, workspacePackages } from "../../scripts/workspace.mjs";

const packages = publicPackages();
const changesetConfig = JSON.parse(readFileSync(join(root, ".changeset/config.json"), "utf8"));

describe("the workspace", () => {
  it("has public packages (the list everything else is driven by)", () => {
    expect(packages.map((p) => p.name)).toEqual(
      expect.arrayContaining([
        "@batch-custom-data/core",
        "@batch-custom-data/node",
        "@batch-custom-data/cli",
        "@batch-custom-data/emulator",
      ]),
    );
  });

  it("every public package agrees with the root's repository, homepage, bugs and author", () => {
    expect(metadataProblems()).toEqual([]);
  });

  it("the root LICENSE is MIT, and every public package ships the same file", () => {
    const license = readFileSync(join(root, "LICENSE"), "utf8");
    expect(license).toMatch(/^MIT License\n/);
    for (const pkg of packages) {
      const file = join(pkg.path, "LICENSE");
      expect(existsSync(file), `${pkg.dir}/LICENSE is missing: copy the root LICENSE`).toBe(true);
      expect(readFileSync(file, "utf8"), `${pkg.dir}/LICENSE differs from the root's`).toBe(
        license,
      );
    }
  });

  it("every public package builds before it is packed, and ships dist/ and a README", () => {
    for (const pkg of packages) {
      const { scripts = {}, files = [] } = pkg.manifest;
      expect(scripts.prepack, `${pkg.dir}: "prepack": "turbo run build"`).toBe("turbo run build");
      expect(files, `${pkg.dir}: "files" must list "dist"`).toContain("dist");
      expect(existsSync(join(pkg.path, "README.md")), `${pkg.dir}/README.md`).toBe(true);
    }
  });

  it("every public package is versioned in the one fixed group, every private one ignored", () => {
    const fixed = changesetConfig.fixed
      .flat()
      .map((glob) => new RegExp(`^${glob.replace("*", ".*")}$`));
    for (const pkg of packages) {
      expect(
        fixed.some((re) => re.test(pkg.name)),
        `${pkg.name} is not in .changeset/config.json's fixed group`,
      ).toBe(true);
      expect(changesetConfig.ignore).not.toContain(pkg.name);
    }
    for (const pkg of workspacePackages().filter((p) => p.private)) {
      expect(
        changesetConfig.ignore,
        `${pkg.name} is private: add it to .changeset/config.json's "ignore"`,
      ).toContain(pkg.name);
    }
  });

  // pnpm pack pins a workspace range to the released version: `workspace:^` gives `^0.1.0`, so
  // a user who upgrades one package keeps one copy of the core; `workspace:*` gives `0.1.0`
  // exactly, which the Deno adapter needs (`deno publish` resolves only `workspace:*`).
  it("the public packages' dependencies on each other are workspace ranges", () => {
    const names = new Set(packages.map((p) => p.name));
    for (const pkg of packages) {
      for (const field of ["dependencies", "peerDependencies", "optionalDependencies"]) {
        for (const [dep, range] of Object.entries(pkg.manifest[field] ?? {})) {
          if (names.has(dep)) {
            expect(["workspace:^", "workspace:*"], `${pkg.dir} ${field} ${dep}`).toContain(range);
          }
        }
      }
    }
  });
});
