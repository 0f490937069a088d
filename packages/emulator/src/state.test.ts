import { afterEach, describe, expect, it } from "vitest";
import { Store } from "./state.js";

const stores: Store[] = [];
function store(delay = 20, limit = 100_000) {
  const s = new Store(["APP"], delay, limit);
  stores.push(s);
  return s;
}
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

describe("Store", () => {
  it("seeds ids and generated users", () => {
    const s = store();
    expect(s.seed("APP", ["a", "b", "a"])).toBe(2);
    expect(s.seed("APP", 3)).toBe(3);
    expect(s.users("APP")).toEqual(["a", "b", "user-1", "user-2", "user-3"]);
    expect(s.seed("APP", 2, { prefix: "p", start: 0 })).toBe(2);
    expect(s.hasData("APP", "p0")).toBe(true);
    expect(s.count("APP")).toBe(7);
    expect(s.users("APP", 1, 2)).toEqual(["b", "user-1"]);
    expect(s.count("OTHER")).toBe(0);
    expect(s.hasData("OTHER", "a")).toBe(false);
    expect(s.users("OTHER")).toEqual([]);
  });

  it("refuses bad seeds", () => {
    const s = store();
    expect(() => s.seed("OTHER", 1)).toThrow(/unknown API key/);
    expect(() => s.seed("APP", -1)).toThrow(/whole number/);
    expect(() => s.seed("APP", [""])).toThrow(/non-empty/);
  });

  it("keeps the data readable until the deletion is processed", async () => {
    const s = store(30);
    s.seed("APP", ["a", "b", "c"]);
    const token = s.accept("APP", "bulk", ["a", "b", "a", "zz"], Date.now());
    expect(token).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(s.transaction(token)).toMatchObject({
      status: "pending",
      ids: 4,
      deleted: null,
      kind: "bulk",
    });
    expect(s.hasData("APP", "a")).toBe(true);
    expect(s.pending).toBe(1);
    await s.settled();
    expect(s.transaction(token)).toMatchObject({ status: "done", ids: 4, deleted: 2 });
    expect(s.transaction(token)!.processedAt).not.toBeNull();
    expect(s.users("APP")).toEqual(["c"]);
    expect(s.pending).toBe(0);
  });

  it("processes each transaction once its own delay is over", async () => {
    const s = store(20);
    s.seed("APP", 3);
    const now = Date.now();
    const t1 = s.accept("APP", "single", ["user-1"], now);
    // Accepted "later": due a minute from now.
    const t2 = s.accept("APP", "single", ["user-2"], now + 60_000);
    for (let i = 0; i < 500 && s.transaction(t1)!.status === "pending"; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(s.transaction(t1)!.status).toBe("done");
    expect(s.transaction(t2)!.status).toBe("pending");
    expect(s.hasData("APP", "user-1")).toBe(false);
    expect(s.hasData("APP", "user-2")).toBe(true);
    expect(s.flush()).toBe(1);
    expect(s.transaction(t2)!.status).toBe("done");
  });

  it("flushes at once", () => {
    const s = store(60_000);
    s.seed("APP", ["a", "b"]);
    s.accept("APP", "single", ["a"], Date.now());
    s.accept("APP", "single", ["b"], Date.now());
    expect(s.flush()).toBe(2);
    expect(s.count("APP")).toBe(0);
    expect(s.flush()).toBe(0);
  });

  it("settles at once with nothing pending, and on close", async () => {
    const s = store(60_000);
    await s.settled();
    s.accept("APP", "single", ["a"], Date.now());
    const settled = s.settled();
    s.close();
    await settled;
  });

  it("forgets pending deletions and users on reset", async () => {
    const s = store(10);
    s.seed("APP", ["a"]);
    const token = s.accept("APP", "single", ["a"], Date.now());
    s.reset();
    expect(s.transaction(token)).toBeUndefined();
    expect(s.count("APP")).toBe(0);
    s.seed("APP", ["a"]);
    await new Promise((r) => setTimeout(r, 30));
    expect(s.hasData("APP", "a")).toBe(true);
  });

  it("forgets the oldest transaction records past the limit, still processing them", () => {
    const s = store(60_000, 2);
    s.seed("APP", ["a", "b", "c"]);
    const [t1, t2, t3] = ["a", "b", "c"].map((id) => s.accept("APP", "single", [id], Date.now()));
    expect(s.transaction(t1!)).toBeUndefined();
    expect(s.transaction(t2!)).toBeDefined();
    expect(s.transaction(t3!)).toBeDefined();
    expect(s.flush()).toBe(3);
    expect(s.count("APP")).toBe(0);
  });

  it("handles many transactions with one timer and compacts its queue", async () => {
    const s = store(0);
    s.seed("APP", 5000);
    for (let i = 1; i <= 5000; i++) s.accept("APP", "single", [`user-${i}`], Date.now());
    expect(s.pending).toBe(5000);
    await s.settled();
    expect(s.count("APP")).toBe(0);
  });

  it("processes a million ids in one pass", () => {
    const s = store(60_000);
    s.seed("APP", 1_000_000);
    const ids = s.users("APP");
    for (let i = 0; i < ids.length; i += 10_000)
      s.accept("APP", "bulk", ids.slice(i, i + 10_000), Date.now());
    expect(s.flush()).toBe(100);
    expect(s.count("APP")).toBe(0);
  });
});
