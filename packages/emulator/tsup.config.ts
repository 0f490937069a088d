import { defineConfig } from "tsup";

// Two builds: the handler runs anywhere (platform "neutral": a Node built-in fails the build),
// the server entry is Node-only.
export default defineConfig([
  {
    entry: { index: "src/index.ts" },
    format: ["esm", "cjs"],
    dts: true,
    clean: true,
    sourcemap: false,
    target: "es2022",
    platform: "neutral",
  },
  {
    entry: { node: "src/node.ts" },
    format: ["esm", "cjs"],
    dts: true,
    clean: false,
    sourcemap: false,
    target: "es2022",
    platform: "node",
    removeNodeProtocol: false,
  },
]);
