import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    reporters: ["default", ["json", { outputFile: ".test-results/vitest.json" }]],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    coverage: {
      provider: "v8",
      include: ["src/**/*.ts"],
      exclude: ["src/**/*.test.ts", "src/cli.ts"],
      // The end-to-end tests run the built CLI in child processes, which v8 coverage cannot
      // see: the floor is met by the unit and in-process tests alone, as in the other packages.
      thresholds: { lines: 90 },
      reporter: ["text-summary", "text"],
    },
  },
});
