// Under Node: the default entry does not refuse (server rendering, scripts), and the `browser`
// export condition, as a bundler for pages resolves it, gives the build that always refuses.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createClient, isBrowserRuntime } from "../dist/index.js";

describe("outside a browser", () => {
  it("detects no browser and makes the client", () => {
    expect(isBrowserRuntime()).toBe(false);
    const client = createClient({ apiKey: "APP", restApiKey: "REST" });
    expect(typeof client.deleteUser).toBe("function");
  });

  it("the browser condition resolves to the build that refuses", () => {
    const script = `
      const resolved = import.meta.resolve("@batch-custom-data/browser");
      const { createClient } = await import("@batch-custom-data/browser");
      let refused = false;
      try { createClient({ apiKey: "APP", restApiKey: "REST" }); } catch (e) { refused = /dangerouslyAllowBrowser/.test(e.message); }
      console.log(JSON.stringify({ resolved, refused }));`;
    const run = (conditions: string[]) => {
      const { stdout, stderr, status } = spawnSync(
        process.execPath,
        [...conditions, "--input-type=module", "-e", script],
        { cwd: fileURLToPath(new URL("..", import.meta.url)), encoding: "utf8" },
      );
      expect(status, stderr).toBe(0);
      return JSON.parse(stdout);
    };
    expect(run(["--conditions=browser"])).toEqual({
      resolved: expect.stringMatching(/\/dist\/browser\.js$/),
      refused: true,
    });
    expect(run([])).toEqual({
      resolved: expect.stringMatching(/\/dist\/index\.js$/),
      refused: false,
    });
  }, 30_000);
});
