import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    reporters: ["default", ["json", { outputFile: ".test-results/vitest.json" }]],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // One Miniflare (one workerd process) at a time: the machine has 2 cores.
    fileParallelism: false,
  },
});
