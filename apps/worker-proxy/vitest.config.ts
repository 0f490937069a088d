import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    reporters: ["default", ["json", { outputFile: ".test-results/vitest.json" }]],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // One workerd process at a time: the machine has 2 cores.
    fileParallelism: false,
  },
});
