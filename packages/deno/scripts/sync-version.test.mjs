// The release flow must leave deno.json at the npm packages' version. Proven on copies of the
// repository: a real `changeset version` run, then the root's `version-packages` script.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, test } from "node:test";
import { syncDenoVersions } from "./sync-version.mjs";

const root = new URL("../../..", import.meta.url).pathname;
const changesetBin = join(root, "node_modules", "@changesets", "cli", "bin.js");
const copies = [];
after(() => {
  for (const dir of copies) rmSync(dir, { recursive: true, force: true });
});

const readJson = (file) => JSON.parse(readFileSync(file, "utf8"));

/** The repository's files (tracked or new, not ignored) in a temporary folder. */
function copyRepository() {
  const dir = mkdtempSync(join(tmpdir(), "version-sync-"));
  copies.push(dir);
  const files = execFileSync(
    "git",
    ["ls-files", "-z", "--cached", "--others", "--exclude-standard"],
    { cwd: root, encoding: "utf8" },
  )
    .split("\0")
    .filter((file) => file && existsSync(join(root, file)));
  for (const file of files) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    copyFileSync(join(root, file), join(dir, file));
  }
  // changesets loads its changelog generator from node_modules.
  symlinkSync(join(root, "node_modules"), join(dir, "node_modules"), "dir");
  // A major bump: every package of the fixed group goes to 1.0.0, whatever else is pending.
  writeFileSync(
    join(dir, ".changeset", "zz-version-sync-test.md"),
    '---\n"@batch-custom-data/core": major\n---\n\nA release.\n',
  );
  return dir;
}

function versions(dir) {
  const pkg = readJson(join(dir, "packages", "deno", "package.json"));
  const core = readJson(join(dir, "packages", "core", "package.json"));
  const deno = readJson(join(dir, "packages", "deno", "deno.json"));
  return { pkg: pkg.version, core: core.version, deno: deno.version, imports: deno.imports };
}

test("changeset version alone leaves deno.json behind (why the hook exists)", () => {
  const dir = copyRepository();
  const before = versions(dir).deno;
  execFileSync(process.execPath, [changesetBin, "version"], { cwd: dir, stdio: "pipe" });
  const after = versions(dir);
  assert.equal(after.pkg, "1.0.0");
  assert.equal(after.deno, before, "changesets now edits deno.json: the hook may be redundant");
});

test("the root's version-packages script keeps deno.json at the npm version", () => {
  const dir = copyRepository();
  execFileSync("npm", ["run", "--silent", "version-packages"], { cwd: dir, stdio: "pipe" });
  const { pkg, core, deno, imports } = versions(dir);
  assert.equal(pkg, "1.0.0");
  assert.equal(core, pkg, "the fixed group versions core and deno together");
  assert.equal(deno, pkg);
  for (const [key, target] of Object.entries(imports)) {
    if (key.startsWith("@batch-custom-data/core")) {
      assert.match(target, /^npm:@batch-custom-data\/core@1\.0\.0\/?$/);
    }
  }
  // Every published package of the repository is at that version too.
  const published = execFileSync("git", ["ls-files", "packages/*/package.json"], {
    cwd: root,
    encoding: "utf8",
  })
    .split("\n")
    .filter(Boolean)
    .map((file) => readJson(join(dir, file)))
    .filter((p) => !p.private);
  for (const p of published) assert.equal(p.version, pkg, p.name);
});

test("sync rewrites version and our npm specifiers only, keeps formatting, is idempotent", () => {
  const dir = mkdtempSync(join(tmpdir(), "version-sync-unit-"));
  copies.push(dir);
  const write = (file, text) => {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  };
  write("packages/core/package.json", '{ "name": "@batch-custom-data/core", "version": "2.3.4" }');
  write("packages/deno/package.json", '{ "name": "@batch-custom-data/deno", "version": "2.3.4" }');
  const config = `{
  "name": "@batch-custom-data/deno",
  "version": "0.0.0",
  "exports": "./src/mod.ts",
  "imports": {
    "@batch-custom-data/core": "npm:@batch-custom-data/core@0.0.0",
    "@batch-custom-data/core/": "npm:@batch-custom-data/core@0.0.0/",
    "other": "npm:other@0.0.0",
    "@batch-custom-data/unknown": "npm:@batch-custom-data/unknown@0.0.0"
  },
  "publish": { "include": ["src/**/*.ts"] }
}
`;
  write("packages/deno/deno.json", config);
  assert.deepEqual(syncDenoVersions(dir), [join(dir, "packages/deno/deno.json")]);
  const synced = readFileSync(join(dir, "packages/deno/deno.json"), "utf8");
  assert.equal(
    synced,
    config
      .replace('"version": "0.0.0"', '"version": "2.3.4"')
      .replaceAll("npm:@batch-custom-data/core@0.0.0", "npm:@batch-custom-data/core@2.3.4"),
  );
  assert.deepEqual(syncDenoVersions(dir), [], "a second run changes nothing");
});
