import { defineConfig } from "tsup";

// The npm build (`npm:@batch-custom-data/deno`): ESM for Deno, the core left as a dependency.
// Deno itself type-checks the sources (`deno check`); the declarations are built against
// @types/deno (see tsconfig.json).
export default defineConfig({
  entry: ["src/mod.ts"],
  format: ["esm"],
  dts: true,
  clean: true,
  sourcemap: false,
  target: "es2022",
  platform: "neutral",
});
