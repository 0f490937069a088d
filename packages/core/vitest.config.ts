import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // Property tests (thousands of runs against an oracle) take seconds; on a loaded machine
    // the default 5 s would fail them for being slow, which is not what they test.
    testTimeout: 30_000,
    reporters: ["default", ["json", { outputFile: ".test-results/vitest.json" }]],
    coverage: {
      provider: "v8",
      include: ["src/**/*.ts"],
      exclude: ["src/**/*.test.ts"],
      thresholds: { lines: 90 },
      reporter: ["text-summary"],
    },
  },
});
