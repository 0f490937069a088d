import { defineConfig } from "vite";

export default defineConfig({
  build: {
    target: "es2022",
    // Sourcemaps would publish the sources next to the page; the tests read the built files.
    sourcemap: false,
  },
  server: { host: "127.0.0.1" },
  preview: { host: "127.0.0.1" },
});
