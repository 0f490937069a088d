import { defineConfig } from "vitest/config";

// Only the Node driver runs under vitest; harness/node.js adds the JSON reporter. With
// CORE_DIST set (always, through run.js), `@batch-custom-data/core` is that file.
const core = process.env.CORE_DIST;

export default defineConfig({
  resolve: {
    alias: core ? [{ find: /^@batch-custom-data\/core$/, replacement: core }] : [],
  },
  test: {
    include: ["drivers/node.test.js"],
  },
});
