import { defineConfig } from "tsup";

// One entry per subpath: `.`, `./env`, `./ids`. Someone who only calls createClient does not
// bundle the readers or the env parser.
const entries = { index: "src/index.ts", env: "src/env.ts", ids: "src/read/index.ts" };
const common = { format: ["esm", "cjs"], target: "es2022", platform: "neutral" } as const;

export default defineConfig([
  {
    ...common,
    entry: entries,
    // Shared modules (the error classes above all) go into shared chunks in both formats: each
    // subpath must throw the same BatchValidationError class the main entry exports, or
    // `instanceof` would fail across them.
    splitting: true,
    dts: false,
    clean: true,
    sourcemap: false,
  },
  // Declarations are built per entry, each whole: split declarations would import chunk files
  // (`./client-XXXX.js`) that exist only as `.d.ts`, which Deno's type checker cannot resolve.
  ...Object.entries(entries).map(([name, file]) => ({
    ...common,
    entry: { [name]: file },
    dts: { only: true },
  })),
]);
