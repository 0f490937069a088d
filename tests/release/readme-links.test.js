// A package's README is shown on the registry's page, where a relative link (`../core`) leads
// nowhere: every link in a published README is absolute, and those into this repository point
// at files that exist. The repository's own Markdown (READMEs, docs/) may link relatively, but
// never to a file that is not there.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_BRANCH, repositoryWebUrl } from "../../scripts/package-metadata.mjs";
import { publicPackages, root } from "../../scripts/workspace.mjs";

const web = repositoryWebUrl();

/** Link targets of a Markdown text: `[text](target)`, `![alt](target)`, `[ref]: target`. */
function linkTargets(markdown) {
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, "").replace(/`[^`\n]*`/g, "");
  const targets = [];
  for (const match of withoutCode.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g))
    targets.push(match[1]);
  for (const match of withoutCode.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm))
    targets.push(match[1]);
  return targets;
}

/** The repository path an absolute link into this repository names, or undefined. */
function repositoryPath(url) {
  for (const kind of ["tree", "blob"]) {
    const prefix = `${web}/${kind}/${DEFAULT_BRANCH}/`;
    if (url.startsWith(prefix)) return decodeURIComponent(url.slice(prefix.length).split("#")[0]);
  }
  if (url === web || url.startsWith(`${web}#`)) return "";
  return undefined;
}

const tracked = new Set(
  execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], {
    cwd: root,
    encoding: "utf8",
  })
    .split("\n")
    .filter(Boolean),
);
const existsInRepository = (path) =>
  path === "" || tracked.has(path) || [...tracked].some((file) => file.startsWith(`${path}/`));

describe("links in the published READMEs work on the registry's page", () => {
  for (const pkg of publicPackages()) {
    it(`${pkg.dir}/README.md`, () => {
      const readme = readFileSync(join(pkg.path, "README.md"), "utf8");
      const targets = linkTargets(readme);
      const relativeLinks = targets.filter((t) => !/^(https?:|mailto:|#)/.test(t));
      expect(relativeLinks, "relative links are dead on the registry: use absolute URLs").toEqual(
        [],
      );
      const missing = targets
        .map((t) => [t, repositoryPath(t)])
        .filter(([, path]) => path !== undefined && !existsInRepository(path))
        .map(([t]) => t);
      expect(missing, "links into the repository must name files that exist").toEqual([]);
    });
  }
});

describe("links in the repository's own Markdown name files that exist", () => {
  const files = [...tracked].filter(
    (f) => (f === "README.md" || f.startsWith("docs/")) && f.endsWith(".md"),
  );
  it.each(files)("%s", (file) => {
    const targets = linkTargets(readFileSync(join(root, file), "utf8"));
    const broken = targets.filter((target) => {
      if (/^(https?:|mailto:|#)/.test(target)) {
        const path = repositoryPath(target);
        return path !== undefined && !existsInRepository(path);
      }
      const path = relative(root, join(root, dirname(file), target.split("#")[0]));
      return !existsSync(join(root, path));
    });
    expect(broken).toEqual([]);
  });

  it("the link extractor finds every kind of link", () => {
    const md = '[a](../core) ![b](img.png) [c](https://x.y/z "t")\n[d]: ./docs/api.md\n`[e](no)`';
    expect(linkTargets(md)).toEqual(["../core", "img.png", "https://x.y/z", "./docs/api.md"]);
  });
});
