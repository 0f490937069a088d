import { describe, expect, it } from "vitest";
import { ANDROID_KEY, API_KEY, keysIn, REST_KEY, SECRETS, secretForms } from "./index.js";

describe("the test keys", () => {
  it("are three different keys whose percent-encoded form differs from the raw one", () => {
    expect(new Set(SECRETS).size).toBe(3);
    for (const key of [API_KEY, ANDROID_KEY]) expect(encodeURIComponent(key)).not.toBe(key);
  });

  it("are not `label=KEY` pairs in BATCH_API_KEY's syntax", () => {
    for (const key of SECRETS) expect(/^[A-Za-z0-9_-]+=/.test(key)).toBe(false);
  });

  it("keysIn finds a key raw or percent-encoded, and nothing in clean text", () => {
    expect(keysIn(`GET /1.0/${encodeURIComponent(API_KEY)}/data`)).toEqual([API_KEY]);
    expect(keysIn(`x-authorization: ${REST_KEY}`)).toEqual([REST_KEY]);
    expect(keysIn("/1.0/<redacted>/data/users")).toEqual([]);
  });

  it("secretForms lists the raw key and distinct escaped forms of it", () => {
    const forms = secretForms(API_KEY);
    expect(forms[0]).toBe(API_KEY);
    expect(forms).toContain("Live%2BAppKey%2F9f2c%3DSx7Qw");
    expect(forms).toContain("Live%2bAppKey%2f9f2c%3dSx7Qw");
    expect(new Set(forms).size).toBeGreaterThan(6);
  });
});
