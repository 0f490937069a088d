import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { killGroup, spawnGroup } from "../node.js";

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("spawnGroup and killGroup", () => {
  it("kill the child and what it started, as one group", async () => {
    // The shell starts a grandchild and prints its pid; killing the group ends both.
    const child = spawnGroup("sh", ["-c", "sleep 30 & echo $!; wait"], {
      stdio: ["ignore", "pipe", "ignore"],
    });
    const [line] = await once(child.stdout, "data");
    const grandchild = Number(String(line).trim());
    expect(alive(grandchild)).toBe(true);
    const closed = once(child, "close");
    killGroup(child.pid);
    const [, signal] = await closed;
    expect(signal).toBe("SIGKILL");
    await expect.poll(() => alive(grandchild), { timeout: 5_000 }).toBe(false);
  });

  it("killGroup of a child that never started does nothing", () => {
    expect(() => killGroup(undefined)).not.toThrow();
  });
});
