import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm"],
  dts: true,
  clean: true,
  sourcemap: false,
  target: "es2022",
  platform: "neutral",
  // Provided by workerd (and wrangler's bundler) at run time.
  external: ["cloudflare:workers"],
});
