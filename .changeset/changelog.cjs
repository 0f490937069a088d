// How `changeset version` writes CHANGELOG.md entries. Two differences from the default
// (`@changesets/cli/changelog`):
// - no commit hash before each line: the changelog describes what the release offers, and the
//   hash of the commit that added a changeset says nothing to a user;
// - no "Updated dependencies" lines for packages of our own `fixed` group: they are always
//   released together, at the same version, so every entry would say only that (and it would
//   put a "Patch Changes" heading into a first release). Other dependencies are still listed.
const { readFileSync } = require("node:fs");
const { join } = require("node:path");

function fixedGroupMatchers() {
  const config = JSON.parse(readFileSync(join(__dirname, "config.json"), "utf8"));
  return (config.fixed ?? []).flat().map((pattern) => {
    const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*");
    return new RegExp(`^${escaped}$`);
  });
}

async function getReleaseLine(changeset) {
  const [first, ...rest] = changeset.summary
    .trim()
    .split("\n")
    .map((line) => line.trimEnd());
  return [`- ${first}`, ...rest.map((line) => (line ? `  ${line}` : ""))].join("\n");
}

async function getDependencyReleaseLine(_changesets, dependenciesUpdated) {
  const fixed = fixedGroupMatchers();
  const others = dependenciesUpdated.filter((dep) => !fixed.some((re) => re.test(dep.name)));
  if (others.length === 0) return "";
  return [
    "- Updated dependencies:",
    ...others.map((dep) => `  - ${dep.name}@${dep.newVersion}`),
  ].join("\n");
}

module.exports = { getReleaseLine, getDependencyReleaseLine };
