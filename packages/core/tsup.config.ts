import { defineConfig } from "tsup";

export default defineConfig({
  // One entry per subpath: `.`, `./env`, `./ids`. Someone who only calls createClient does not
  // bundle the readers or the env parser.
  entry: { index: "src/index.ts", env: "src/env.ts", ids: "src/read/index.ts" },
  format: ["esm", "cjs"],
  // Shared modules (the error classes above all) go into shared chunks in both formats: each
  // subpath must throw the same BatchValidationError class the main entry exports, or
  // `instanceof` would fail across them.
  splitting: true,
  dts: true,
  clean: true,
  sourcemap: true,
  target: "es2022",
  platform: "neutral",
});
