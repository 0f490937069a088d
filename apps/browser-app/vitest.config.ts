import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    reporters: ["default", ["json", { outputFile: ".test-results/vitest.json" }]],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // One Chromium and one workerd at a time: the machine has 2 cores.
    fileParallelism: false,
  },
});
