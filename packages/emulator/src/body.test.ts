import { describe, expect, it } from "vitest";
import {
  DEFAULT_MAX_BODY_BYTES,
  idProblem,
  MAX_ID_LENGTH,
  MAX_IDS_PER_CALL,
  parseJson,
  readBodyCapped,
  validateIdList,
} from "./body.js";

const encode = (text: string) => new TextEncoder().encode(text);

function streamOf(chunks: Uint8Array[]) {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}

function request(body: BodyInit | null, headers?: Record<string, string>) {
  return new Request("http://emulator.test/", {
    method: "DELETE",
    body,
    headers,
    ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
  } as RequestInit);
}

describe("readBodyCapped", () => {
  it("reads a body in several chunks", async () => {
    const read = await readBodyCapped(request(streamOf([encode('["a",'), encode('"b"]')])), 100);
    expect(read.kind).toBe("bytes");
    if (read.kind === "bytes") expect(new TextDecoder().decode(read.bytes)).toBe('["a","b"]');
  });

  it("reports a missing or zero-length body as empty", async () => {
    expect(await readBodyCapped(request(null), 100)).toEqual({ kind: "empty" });
    expect(await readBodyCapped(request(""), 100)).toEqual({ kind: "empty" });
  });

  it("accepts a body of exactly the cap", async () => {
    const read = await readBodyCapped(request("x".repeat(100)), 100);
    expect(read.kind).toBe("bytes");
  });

  it("stops an endless stream at the cap and cancels it", async () => {
    let pulled = 0;
    let cancelled = false;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        if (pulled > 10_000) throw new Error("read far past the cap");
        controller.enqueue(new Uint8Array(1024));
      },
      cancel() {
        cancelled = true;
      },
    });
    const read = await readBodyCapped(request(endless), 64 * 1024);
    expect(read).toEqual({ kind: "too-large" });
    expect(cancelled).toBe(true);
    expect(pulled).toBeLessThan(100);
  });

  it("refuses a declared Content-Length over the cap without reading", async () => {
    const read = await readBodyCapped(request("[]", { "content-length": "1000" }), 10);
    expect(read).toEqual({ kind: "too-large" });
  });

  it("has a default cap that fits 10,000 ids of 1023 escaped characters", () => {
    const worstBody = 2 + MAX_IDS_PER_CALL * (MAX_ID_LENGTH * 6 + 3);
    expect(worstBody).toBeLessThan(DEFAULT_MAX_BODY_BYTES);
  });
});

describe("parseJson", () => {
  it("parses JSON", () => {
    expect(parseJson(encode('["a"]'))).toEqual({ ok: true, value: ["a"] });
  });

  it("refuses invalid UTF-8 with 32", () => {
    const result = parseJson(new Uint8Array([0x5b, 0x22, 0xff, 0xfe, 0x22, 0x5d]));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.refusal.name).toBe("MALFORMED_JSON_BODY");
      expect(result.refusal.message).toMatch(/UTF-8/);
    }
  });

  it("refuses text that is not JSON with 32", () => {
    for (const text of ["user1,user2", "[", "['a']", "   ", "[1,]"]) {
      const result = parseJson(encode(text));
      expect(result.ok, text).toBe(false);
      if (!result.ok) expect(result.refusal.name).toBe("MALFORMED_JSON_BODY");
    }
  });

  it("survives 100,000 nested brackets, open or closed", () => {
    const open = parseJson(encode("[".repeat(100_000)));
    expect(open.ok).toBe(false);
    const closed = parseJson(encode(`${"[".repeat(100_000)}${"]".repeat(100_000)}`));
    // Either parsed (then refused as not an id list) or refused as too deep: never a crash.
    if (closed.ok) expect(validateIdList(closed.value, 10_000, 1023).ok).toBe(false);
    else expect(closed.refusal.name).toMatch(/MALFORMED_(PARAMETER|JSON_BODY)/);
  });
});

describe("validateIdList", () => {
  const check = (value: unknown) => validateIdList(value, MAX_IDS_PER_CALL, MAX_ID_LENGTH);

  it("accepts an array of non-empty strings, duplicates included", () => {
    expect(check(["a", "b", "a"])).toEqual({ ok: true, ids: ["a", "b", "a"] });
    expect(check([" padded ", "ünï©ødé", "😀", "a/b?c#d%e", ".."]).ok).toBe(true);
  });

  it.each([
    ["an object", { ids: ["a"] }],
    ["a string", "a"],
    ["null", null],
    ["a number", 3],
    ["an empty array", []],
    ["a number id", ["a", 1]],
    ["a null id", [null]],
    ["a nested array", [["a"]]],
    ["an object id", [{}]],
    ["an empty id", ["a", ""]],
    ["a 1024-character id", ["x".repeat(1024)]],
    ["an unpaired surrogate", ["a\uD800b"]],
    ["a lone low surrogate", ["\uDC00"]],
  ])("refuses %s with 31", (_label, value) => {
    const result = check(value);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.refusal.name).toBe("MALFORMED_PARAMETER");
  });

  it("accepts exactly 10,000 ids and refuses 10,001", () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => `u${i}`);
    expect(check(ids).ok).toBe(true);
    const result = check([...ids, "one-more"]);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.refusal.message).toMatch(/10001 ids.*at most 10000/);
  });

  it("names the position of a bad id without quoting it", () => {
    const result = check(["fine", "secret-ish", 42]);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.refusal.message).toMatch(/position 2 is number/);
      expect(result.refusal.message).not.toMatch(/secret-ish/);
    }
  });

  it("accepts 1023 characters, and surrogate pairs", () => {
    expect(idProblem("x".repeat(1023), 1023)).toBeUndefined();
    expect(idProblem("\uD83D\uDE00", 1023)).toBeUndefined();
    expect(idProblem("x".repeat(1024), 1023)).toMatch(/1024 characters/);
  });
});
