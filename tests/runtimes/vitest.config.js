import { defineConfig } from "vitest/config";

import { coreDist, coreEntries } from "./harness/paths.js";

// Only the Node driver runs under vitest; harness/node.js adds the JSON reporter. With
// CORE_DIST set (always, through run.js), `@batch-custom-data/core` and its subpaths are the
// files of that build.
const entries = process.env.CORE_DIST ? coreEntries(coreDist()) : {};
const exact = (specifier) => new RegExp(`^${specifier.replaceAll("/", "\\/")}$`);

export default defineConfig({
  resolve: {
    alias: Object.entries(entries).map(([specifier, file]) => ({
      find: exact(specifier),
      replacement: file,
    })),
  },
  test: {
    include: ["drivers/node.test.js"],
  },
});
