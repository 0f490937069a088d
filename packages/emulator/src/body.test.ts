import { describe, expect, it } from "vitest";
import {
  DEFAULT_MAX_BODY_BYTES,
  idProblem,
  LARGEST_LEGAL_BULK_BODY,
  MAX_ID_LENGTH,
  MAX_IDS_PER_CALL,
  nestedDeeperThan,
  parseJson,
  readBodyCapped,
} from "./body.js";
import { bodyTooLarge } from "./context.js";

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

  it("reports a transport's own cut-off as too large", async () => {
    const cut = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.error(bodyTooLarge(10));
      },
    });
    expect(await readBodyCapped(request(cut), 100)).toEqual({ kind: "too-large" });
  });

  it("has a default cap that fits 10,000 ids of 1023 code units, each escaped as \\uXXXX", () => {
    const id = `"${"\\u00e9".repeat(MAX_ID_LENGTH)}"`;
    const worstBody = `[${Array.from({ length: MAX_IDS_PER_CALL }, () => id).join(",")}]`;
    expect(worstBody.length).toBe(LARGEST_LEGAL_BULK_BODY);
    expect(LARGEST_LEGAL_BULK_BODY).toBeLessThan(DEFAULT_MAX_BODY_BYTES);
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

  it("refuses deep nesting before JSON.parse sees it, open or closed", () => {
    for (const text of ["[".repeat(100_000), `${"[".repeat(100_000)}${"]".repeat(100_000)}`]) {
      const result = parseJson(encode(text));
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.refusal.message).toMatch(/nests deeper than 32/);
    }
    expect(parseJson(encode(`${"[".repeat(32)}${"]".repeat(32)}`)).ok).toBe(true);
  });
});

describe("nestedDeeperThan", () => {
  it("counts arrays and objects, not brackets in strings", () => {
    expect(nestedDeeperThan(encode('[{"a":[1]}]'), 3)).toBe(false);
    expect(nestedDeeperThan(encode('[{"a":[[1]]}]'), 3)).toBe(true);
    expect(nestedDeeperThan(encode('["[[[[", "\\"[[[["]'), 1)).toBe(false);
  });
});

describe("idProblem", () => {
  it("accepts 1023 characters, and surrogate pairs", () => {
    expect(idProblem("x".repeat(1023), 1023)).toBeUndefined();
    expect(idProblem("\uD83D\uDE00", 1023)).toBeUndefined();
    expect(idProblem("x".repeat(1024), 1023)).toMatch(/1024 characters/);
  });
});
