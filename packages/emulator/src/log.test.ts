import { describe, expect, it } from "vitest";
import { type RequestLogEntry, RingLog, redactPath } from "./log.js";

const entry = (n: number): RequestLogEntry => ({
  at: n,
  method: "DELETE",
  path: `/1.0/***/data/users/u${n}`,
  ids: 1,
  status: 200,
  fault: null,
});

describe("RingLog", () => {
  it("keeps the last `limit` entries, oldest first", () => {
    const log = new RingLog(3);
    for (let i = 1; i <= 5; i++) log.push(entry(i));
    expect(log.entries().map((e) => e.at)).toEqual([3, 4, 5]);
    log.push(entry(6));
    expect(log.entries().map((e) => e.at)).toEqual([4, 5, 6]);
  });

  it("holds fewer than `limit` entries in order", () => {
    const log = new RingLog(10);
    log.push(entry(1));
    log.push(entry(2));
    expect(log.entries().map((e) => e.at)).toEqual([1, 2]);
  });

  it("stays bounded over many pushes", () => {
    const log = new RingLog(100);
    for (let i = 0; i < 100_000; i++) log.push(entry(i));
    const entries = log.entries();
    expect(entries).toHaveLength(100);
    expect(entries[0]!.at).toBe(99_900);
  });

  it("clears, and a zero limit keeps nothing", () => {
    const log = new RingLog(2);
    log.push(entry(1));
    log.clear();
    expect(log.entries()).toEqual([]);
    const none = new RingLog(0);
    none.push(entry(1));
    expect(none.entries()).toEqual([]);
  });
});

describe("redactPath", () => {
  it("replaces the API key segment and drops the query", () => {
    expect(redactPath("/1.0/KEY123/data/users/u1?x=KEY123", ["KEY123"])).toBe(
      "/1.0/***/data/users/u1",
    );
    expect(redactPath("/1.0/whatever", [])).toBe("/1.0/***");
  });

  it("redacts a known key anywhere, raw or percent-encoded", () => {
    expect(redactPath("/v2/KEY123/data/users", ["KEY123"])).toBe("/v2/***/data/users");
    expect(redactPath("/x/k%20ey/y", ["k ey"])).toBe("/x/***/y");
  });
});
