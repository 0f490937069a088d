// `pnpm release` refuses, before building anything, what would publish the wrong thing.
// Each case runs scripts/release.mjs in a temporary copy of the workspace's manifests (never
// in the repository: there it could publish).
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { root, workspacePackages } from "../../scripts/workspace.mjs";

const dirs = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A copy with the given version for every package and the given pending changesets. */
function workspaceCopy({ version, changesets = [], odd }) {
  const dir = mkdtempSync(join(tmpdir(), "release-script-"));
  dirs.push(dir);
  for (const file of ["package.json", "pnpm-workspace.yaml"])
    cpSync(join(root, file), join(dir, file));
  cpSync(join(root, "scripts"), join(dir, "scripts"), { recursive: true });
  mkdirSync(join(dir, ".changeset"));
  for (const name of changesets) writeFileSync(join(dir, ".changeset", name), "---\n---\n");
  for (const pkg of workspacePackages()) {
    mkdirSync(join(dir, pkg.dir), { recursive: true });
    const manifest = { ...pkg.manifest, version: pkg.name === odd ? "9.9.9" : version };
    writeFileSync(join(dir, pkg.dir, "package.json"), JSON.stringify(manifest));
  }
  return dir;
}

function release(dir) {
  // PATH without pnpm or turbo: if a guard let it through, the build step could not even start.
  return spawnSync(process.execPath, [join(dir, "scripts", "release.mjs")], {
    cwd: dir,
    env: { PATH: "/nonexistent" },
    encoding: "utf8",
  });
}

describe("pnpm release refuses before building", () => {
  it("pending changesets (versions not written yet)", () => {
    const res = release(workspaceCopy({ version: "0.1.0", changesets: ["new-feature.md"] }));
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(
      /changesets are not versioned yet \(new-feature\.md\).*version-packages/,
    );
  });

  it("packages at different versions (they are one fixed group)", () => {
    const res = release(workspaceCopy({ version: "0.1.0", odd: "@batch-custom-data/node" }));
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/different versions \(0\.1\.0, 9\.9\.9\)/);
  });

  it("0.0.0, which is never published", () => {
    const res = release(workspaceCopy({ version: "0.0.0" }));
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/0\.0\.0, which is never published/);
  });

  it("goes on to the build when nothing is wrong (and stops there, without pnpm)", () => {
    const res = release(workspaceCopy({ version: "0.1.0" }));
    expect(res.stdout).toMatch(/== release: build: pnpm exec turbo run build/);
    expect(res.stderr).toMatch(/build failed .*nothing was published/);
    expect(res.status).not.toBe(0);
  });
});
