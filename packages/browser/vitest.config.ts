import { chromiumLaunchOptions } from "@batch-custom-data/test-helpers/node";
import { playwright } from "@vitest/browser-playwright";
import { defineConfig } from "vitest/config";
import { deleteMeOffline } from "./test/commands.js";

// Debian's Chromium (never a downloaded browser), with the project's launch flags.
const chromium = playwright({ launchOptions: chromiumLaunchOptions() });

export default defineConfig({
  test: {
    reporters: ["default", ["json", { outputFile: ".test-results/vitest.json" }]],
    projects: [
      {
        // The package's tests run in the browser it is for: the guard, the client's error
        // mapping (CORS, a proxy down, offline), File reading.
        test: {
          name: "chromium",
          include: ["src/**/*.test.ts"],
          exclude: ["src/**/*.node.test.ts"],
          globalSetup: ["test/servers.ts"],
          testTimeout: 20_000,
          browser: {
            enabled: true,
            headless: true,
            provider: chromium,
            instances: [{ browser: "chromium" }],
            commands: { deleteMeOffline },
            screenshotFailures: false,
          },
        },
      },
      {
        // What must hold outside a browser: server rendering is not refused, and the
        // `browser` export condition resolves to the always-guarded build.
        test: { name: "node", include: ["src/**/*.node.test.ts"], environment: "node" },
      },
    ],
  },
});
