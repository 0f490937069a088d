import { defineConfig, type Options } from "tsup";

const common: Options = {
  // `index`: everywhere but bundles for browsers; `browser`: the `browser` export condition.
  entry: { index: "src/index.ts", browser: "src/browser.ts" },
  sourcemap: false,
  target: "es2022",
  platform: "neutral",
  external: ["@batch-custom-data/core"],
  // (No `clean`: the two builds run at once; the build script empties dist first.)
};

export default defineConfig([
  // ESM: both entries share one chunk (one BatchProxyError class); ky stays a dependency.
  { ...common, format: ["esm"], dts: true },
  // CJS, for `require`: ky is ESM only, and Node before 20.19 cannot require an ES module,
  // so it is bundled into this build. (No shared chunks: tsup's CJS splitting breaks the
  // entries' own createClient, which must win over the core's `export *`.)
  { ...common, format: ["cjs"], dts: true, noExternal: ["ky"], splitting: false },
]);
