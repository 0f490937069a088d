import { afterEach, describe, expect, it, vi } from "vitest";
import { CHROMIUM_ARGS, chromiumLaunchOptions, chromiumMissing } from "../node.js";

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("Chromium's launch", () => {
  it("is headless and quiet: no sandbox, GPU, QUIC, first run, sync or background traffic", () => {
    expect(CHROMIUM_ARGS).toEqual(
      expect.arrayContaining(["--headless", "--no-sandbox", "--disable-quic", "--disable-sync"]),
    );
    expect(chromiumLaunchOptions().args).toEqual(CHROMIUM_ARGS);
  });

  it("takes CHROMIUM_PATH when set, and says when it names nothing", () => {
    vi.stubEnv("CHROMIUM_PATH", "/nowhere/chromium");
    expect(chromiumLaunchOptions().executablePath).toBe("/nowhere/chromium");
    expect(chromiumMissing()).toBe("CHROMIUM_PATH=/nowhere/chromium does not exist");
  });
});
