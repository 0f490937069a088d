// What the next `changeset version` will write, read before it is written: the pending
// changesets are applied in a temporary copy of the workspace (package.json files and
// .changeset/ only; the repository is never touched) and the CHANGELOG.md files it writes are
// checked. While nothing has been released (every public package at 0.0.0), the changelog must
// read as a first release: one minor version for every package, each with its own entry, no
// "Patch Changes", and no wording that describes a change from an earlier behaviour.
import { execFileSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { publicPackages, root, workspacePackages } from "../../scripts/workspace.mjs";

const changesetBin = join(root, "node_modules/@changesets/cli/bin.js");
const packages = publicPackages();
const firstRelease = packages.every((pkg) => pkg.manifest.version === "0.0.0");
const pending = readdirSync(join(root, ".changeset")).filter(
  (f) => f.endsWith(".md") && f !== "README.md",
);

/** Words that describe a change from a previous release: wrong in a first one. */
const NOT_FIRST_RELEASE = [
  [/\bagain\b/i, "“again”"],
  [/\bno longer\b/i, "“no longer”"],
  [/\bnow\b/i, "“now” (compared with what?)"],
  [/\binstead of\b/i, "“instead of” (an earlier behaviour)"],
  [/→|->/, "an arrow (before → after)"],
  [/\bfix(e[sd])?\b/i, "a fix (of something never released)"],
  [/\b(regression|refactor(ed|ing)?|internal)\b/i, "internal work"],
  [/\bsmaller\b|\bfaster\b/i, "a comparison with an earlier version"],
];

function git(cwd, ...args) {
  execFileSync("git", args, { cwd, stdio: "ignore" });
}

let tmp;
let changelogs;
let versions;

beforeAll(() => {
  if (pending.length === 0) return;
  tmp = mkdtempSync(join(tmpdir(), "changelog-check-"));
  for (const file of ["package.json", "pnpm-workspace.yaml"])
    cpSync(join(root, file), join(tmp, file));
  cpSync(join(root, ".changeset"), join(tmp, ".changeset"), { recursive: true });
  for (const pkg of workspacePackages()) {
    mkdirSync(join(tmp, pkg.dir), { recursive: true });
    cpSync(join(pkg.path, "package.json"), join(tmp, pkg.dir, "package.json"));
  }
  // changesets reads the commits that added each changeset: give it a repository.
  git(tmp, "init", "-q");
  git(tmp, "add", "-A");
  git(tmp, "-c", "user.name=check", "-c", "user.email=check@localhost", "commit", "-qm", "copy");
  execFileSync(process.execPath, [changesetBin, "version"], {
    cwd: tmp,
    env: { ...process.env, CI: "true" },
    stdio: "pipe",
  });
  changelogs = {};
  versions = {};
  for (const pkg of packages) {
    const file = join(tmp, pkg.dir, "CHANGELOG.md");
    changelogs[pkg.name] = existsSync(file) ? readFileSync(file, "utf8") : "";
    versions[pkg.name] = JSON.parse(
      readFileSync(join(tmp, pkg.dir, "package.json"), "utf8"),
    ).version;
  }
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

if (pending.length > 0) {
  describe("the next release (changesets are pending)", () => {
    it("lands every public package on the same version (one fixed group)", () => {
      expect(new Set(Object.values(versions)).size, JSON.stringify(versions)).toBe(1);
    });

    it("writes a changelog entry for that version in every public package", () => {
      for (const pkg of packages) {
        const version = versions[pkg.name];
        expect(changelogs[pkg.name], `${pkg.dir}/CHANGELOG.md`).toContain(`## ${version}\n`);
      }
    });

    it("consumes every pending changeset", () => {
      const left = readdirSync(join(tmp, ".changeset")).filter(
        (f) => f.endsWith(".md") && f !== "README.md",
      );
      expect(left).toEqual([]);
    });
  });
}

if (firstRelease && pending.length > 0) {
  describe("the first release's changelog reads as a first release", () => {
    it("is 0.1.0 for every package", () => {
      for (const pkg of packages) expect(versions[pkg.name], pkg.name).toBe("0.1.0");
    });

    it("has only Minor Changes: no Patch Changes, no Major Changes", () => {
      for (const pkg of packages) {
        const text = changelogs[pkg.name];
        expect(text, `${pkg.name}: every first-release changeset is "minor"`).not.toMatch(
          /### (Patch|Major) Changes/,
        );
        expect(text).not.toMatch(/Updated dependencies/);
      }
    });

    it("gives every package an entry of its own that says what it offers", () => {
      for (const pkg of packages) {
        const minor = changelogs[pkg.name].split("### Minor Changes\n")[1] ?? "";
        expect(
          minor.trim(),
          `${pkg.name} has no changeset of its own: add a "minor" one saying what it offers`,
        ).toMatch(/^- \S/);
      }
    });

    it("has no wording that describes a change from an earlier release", () => {
      const found = [];
      for (const pkg of packages) {
        for (const line of changelogs[pkg.name].split("\n")) {
          for (const [pattern, why] of NOT_FIRST_RELEASE) {
            if (pattern.test(line)) found.push(`${pkg.name}: ${why}: ${line.trim().slice(0, 120)}`);
          }
        }
      }
      expect(found).toEqual([]);
    });
  });
}

if (pending.length === 0) {
  describe("the last release (no changeset pending)", () => {
    it("left every public package at one version, with its changelog entry", () => {
      expect(firstRelease, "nothing pending and nothing released: add the first changesets").toBe(
        false,
      );
      const version = packages[0].manifest.version;
      for (const pkg of packages) {
        expect(pkg.manifest.version, pkg.name).toBe(version);
        const file = join(pkg.path, "CHANGELOG.md");
        const text = existsSync(file) ? readFileSync(file, "utf8") : "";
        expect(text, `${pkg.dir}/CHANGELOG.md`).toContain(`## ${version}\n`);
      }
    });
  });
}

describe("the wording check", () => {
  it("catches what the unreleased changesets used to say", () => {
    const old = [
      "- Memory stays flat again on long inputs",
      "- Smaller core (4.56 → 4.46 kB gzipped): shared code paths, same behaviour.",
      "- `deleteUsers` now ends at once when its `signal` aborts",
      "- `serve()` no longer answers 400",
    ];
    for (const line of old) {
      expect(
        NOT_FIRST_RELEASE.some(([pattern]) => pattern.test(line)),
        line,
      ).toBe(true);
    }
    expect(NOT_FIRST_RELEASE.some(([p]) => p.test("- First release: the Node.js adapter."))).toBe(
      false,
    );
  });
});
