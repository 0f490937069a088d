import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { beforeAll, expect, it } from "vitest";

const DEMO = fileURLToPath(new URL("../dist/demo.js", import.meta.url));

beforeAll(() => {
  if (!existsSync(DEMO)) {
    execFileSync("pnpm", ["run", "build"], { cwd: fileURLToPath(new URL("..", import.meta.url)) });
  }
});

it("the built demo deletes every seeded user and exits 0", async () => {
  const child = spawn(process.execPath, [DEMO], {
    env: { PATH: process.env.PATH, DEMO_USERS: "25000" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d) => {
    out += d;
  });
  child.stderr.on("data", (d) => {
    out += d;
  });
  const [code] = await once(child, "close");
  expect(out).toContain("✔ Every user's custom data is gone.");
  expect(out).toMatch(/ids: {5}25,000 read, 25,000 confirmed in every app, 0 failed/);
  expect(out).toMatch(/calls: {3}6 bulk DELETE calls \(3 chunks × 2 apps\)/);
  expect(out).not.toMatch(/demo_(ios|android|rest)_/);
  expect(code).toBe(0);
});
