import { describe, expect, it } from "vitest";
import { restKeyMatches, timingSafeEqual, timingSafeEqualBytes } from "./auth.js";

/** An array-like that counts which indexes were read. */
function spy(bytes: number[]) {
  const reads = new Set<number>();
  const proxy = new Proxy(bytes, {
    get(target, key, receiver) {
      if (typeof key === "string" && /^\d+$/.test(key)) reads.add(Number(key));
      return Reflect.get(target, key, receiver);
    },
  });
  return { proxy, reads };
}

describe("timingSafeEqual", () => {
  it("tells equal strings from different ones", () => {
    expect(timingSafeEqual("REST_API_KEY", "REST_API_KEY")).toBe(true);
    expect(timingSafeEqual("REST_API_KEY", "REST_API_KEZ")).toBe(false);
    expect(timingSafeEqual("REST_API_KEY", "rest_api_key")).toBe(false);
    expect(timingSafeEqual("", "")).toBe(true);
    expect(timingSafeEqual("", "x")).toBe(false);
    expect(timingSafeEqual("x", "")).toBe(false);
    expect(timingSafeEqual("abc", "abc ")).toBe(false);
    expect(timingSafeEqual("clé", "clé")).toBe(true);
    expect(timingSafeEqual("clé", "cle")).toBe(false);
  });

  it("does not confuse a prefix padded with NUL bytes with the key", () => {
    expect(timingSafeEqual("key\u0000", "key")).toBe(false);
    expect(timingSafeEqualBytes([1, 2, 0], [1, 2])).toBe(false);
  });

  it("reads every byte even when the first one differs (no early exit)", () => {
    const a = spy([9, 2, 3, 4, 5, 6, 7, 8]);
    const b = spy([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(timingSafeEqualBytes(a.proxy, b.proxy)).toBe(false);
    expect([...a.reads].sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect([...b.reads].sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it("reads the whole of both inputs when the lengths differ", () => {
    const a = spy([1, 2]);
    const b = spy([1, 2, 3, 4, 5]);
    expect(timingSafeEqualBytes(a.proxy, b.proxy)).toBe(false);
    expect(a.reads.size).toBe(2);
    expect(b.reads.size).toBe(5);
  });
});

describe("restKeyMatches", () => {
  it("accepts only the exact key, and never a missing header", () => {
    expect(restKeyMatches("REST", "REST")).toBe(true);
    expect(restKeyMatches("REST ", "REST")).toBe(false);
    expect(restKeyMatches(null, "REST")).toBe(false);
    expect(restKeyMatches("", "REST")).toBe(false);
  });
});
