import { describe, expect, it } from "vitest";
import { assertNoLeakyDebug, leakyDebugSections } from "./node-debug.js";
import { UsageError } from "./usage.js";

describe("NODE_DEBUG", () => {
  it("finds the sections that print requests, as Node reads the variable", () => {
    expect(leakyDebugSections(undefined)).toEqual([]);
    expect(leakyDebugSections("")).toEqual([]);
    expect(leakyDebugSections("module,timer")).toEqual([]);
    expect(leakyDebugSections("http")).toEqual(["http"]);
    expect(leakyDebugSections("HTTP net")).toEqual(["http", "net"]);
    expect(leakyDebugSections("module, tls")).toEqual(["tls"]);
    // `*` is a wildcard; other characters are literal.
    expect(leakyDebugSections("*")).toHaveLength(8);
    expect(leakyDebugSections("ht*")).toEqual(["http", "http2", "https"]);
    expect(leakyDebugSections("h.tp")).toEqual([]);
    expect(leakyDebugSections("und*,fetch")).toEqual(["undici", "fetch"]);
  });

  it("refuses to run with them, saying why and what to do", () => {
    expect(() => assertNoLeakyDebug({})).not.toThrow();
    expect(() => assertNoLeakyDebug({ NODE_DEBUG: "module" })).not.toThrow();
    expect(() => assertNoLeakyDebug({ NODE_DEBUG: "http,net" })).toThrow(UsageError);
    expect(() => assertNoLeakyDebug({ NODE_DEBUG: "http,net" })).toThrow(
      /^NODE_DEBUG=http,net makes Node print request details \(http, net: .*unset NODE_DEBUG to run\.$/,
    );
    expect(() => assertNoLeakyDebug({ NODE_DEBUG_NATIVE: "HTTP2SESSION" })).toThrow(
      /NODE_DEBUG_NATIVE .*unset it to run/,
    );
  });
});
