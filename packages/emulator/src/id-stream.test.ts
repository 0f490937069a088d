import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { idProblem } from "./body.js";
import { bodyTooLarge } from "./context.js";
import { IdListParser, type IdListRead, readIdList } from "./id-stream.js";

const LIMITS = { maxBytes: 64 * 1024 * 1024, maxIds: 10_000, maxIdLength: 1023 };
const encoder = new TextEncoder();

/** Parses `bytes` pushed in the pieces that `cuts` (offsets) make. */
function parse(bytes: Uint8Array, cuts: number[] = [], limits = LIMITS) {
  const parser = new IdListParser(limits);
  const offsets = [...new Set(cuts.filter((c) => c > 0 && c < bytes.length))].sort((a, b) => a - b);
  let from = 0;
  for (const to of [...offsets, bytes.length]) {
    const refusal = parser.push(bytes.subarray(from, to));
    if (refusal !== undefined) return { refusal, elements: parser.elements };
    from = to;
  }
  const refusal = parser.end();
  return refusal === undefined ? { ids: parser.ids } : { refusal, elements: parser.elements };
}

const text = (body: string, cuts?: number[]) => parse(encoder.encode(body), cuts);

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** What JSON.parse and the id rules say of a body: the reference the tokenizer must agree with. */
function reference(bytes: Uint8Array): string[] | undefined {
  let value: unknown;
  try {
    const decoded = strictUtf8.decode(bytes);
    value = JSON.parse(decoded);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || value.length === 0 || value.length > LIMITS.maxIds) return undefined;
  return value.every((id) => idProblem(id, LIMITS.maxIdLength) === undefined)
    ? (value as string[])
    : undefined;
}

describe("IdListParser", () => {
  it("reads a flat array of ids, whitespace and a BOM allowed", () => {
    expect(text('["a","b","a"]')).toEqual({ ids: ["a", "b", "a"] });
    expect(text(' \n\t[ "a" ,\r\n "b" ] \n')).toEqual({ ids: ["a", "b"] });
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...encoder.encode('["a"]')]);
    for (let cut = 0; cut < bom.length; cut++) expect(parse(bom, [cut])).toEqual({ ids: ["a"] });
  });

  it("decodes escapes and any Unicode, never trims", () => {
    const ids = [" padded ", "ünï©ødé", "😀", "a/b?c#d%e", "..", 'q"uote', "back\\slash", "\u2028"];
    expect(text(JSON.stringify(ids))).toEqual({ ids });
    expect(text('["\\u0041\\n\\t\\/\\ud83d\\ude00"]')).toEqual({ ids: ["A\n\t/😀"] });
  });

  it("gives the same ids whatever the chunks", () => {
    const body = encoder.encode(JSON.stringify(["user-1", 'ü😀\\"', "\u0000x", "x".repeat(1023)]));
    const whole = parse(body);
    for (let cut = 0; cut <= body.length; cut++) expect(parse(body, [cut])).toEqual(whole);
    expect(
      parse(
        body,
        Array.from({ length: body.length }, (_, i) => i),
      ),
    ).toEqual(whole);
  });

  it("accepts 10,000 ids and refuses the 10,001st as soon as it starts", () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => `u${i}`);
    expect(text(JSON.stringify(ids))).toEqual({ ids });
    const more = `${JSON.stringify(ids).slice(0, -1)},"`;
    expect(text(more)).toMatchObject({
      refusal: {
        name: "MALFORMED_PARAMETER",
        message: expect.stringMatching(/more than 10000 ids/),
      },
      elements: 10_001,
    });
  });

  it("counts an id's length in UTF-16 code units, escapes included", () => {
    expect(text(JSON.stringify(["x".repeat(1023)]))).toMatchObject({ ids: [expect.any(String)] });
    expect(text(`["${"\\u00e9".repeat(1023)}"]`)).toMatchObject({ ids: ["é".repeat(1023)] });
    expect(text(JSON.stringify([`${"😀".repeat(511)}x`]))).toMatchObject({
      ids: [expect.any(String)],
    });
    for (const long of ["x".repeat(1024), "é".repeat(1024), "😀".repeat(512)]) {
      expect(text(JSON.stringify([long]))).toMatchObject({
        refusal: { message: expect.stringMatching(/position 0 is longer than 1023/) },
      });
    }
    // Refused at the 1,024th code unit, the rest of the id never read.
    const parser = new IdListParser(LIMITS);
    expect(parser.push(encoder.encode(`["${"x".repeat(1024)}`))).toMatchObject({
      name: "MALFORMED_PARAMETER",
    });
  });

  it.each([
    ["not JSON", "user1,user2", 32],
    ["whitespace only", "   ", 32],
    ["unclosed", '["a"', 32],
    ["unclosed string", '["a', 32],
    ["a trailing comma", '["a",]', 32],
    ["garbage after the array", '["a"]x', 32],
    ["two arrays", '["a"]["b"]', 32],
    ["single quotes", "['a']", 32],
    ["a raw control character", '["a\tb"]', 32],
    ["a bad escape", '["a\\xb"]', 32],
    ["a short \\u escape", '["\\u12"]', 32],
    ["a missing comma", '["a" "b"]', 32],
    ["a word", "[not json", 32],
    ["a broken literal", "[nul]", 32],
    ["a broken literal at the top", "nope", 32],
    ["a literal cut short", '["a",tru', 32],
    ["a literal run on", "[nullx]", 32],
    ["a number run on", "[1x]", 32],
    ["a leading zero", "[01]", 32],
    ["a lone minus", "[-]", 32],
    ["a bare dot", "[1.]", 32],
    ["an empty exponent", "[1e]", 32],
    ["a number cut short", "[12", 32],
    ["a number", '["a",-0.5e+3]', 31],
    ["a top-level number", " 12 ", 31],
    ["a top-level literal", "true", 31],
    ["a comma first", '[,"a"]', 32],
    ["an object", '{"ids":["a"]}', 31],
    ["a string", '"a"', 31],
    ["a number", "3", 31],
    ["null", "null", 31],
    ["an empty array", "[]", 31],
    ["a number id", '["a", 1]', 31],
    ["a null id", "[null]", 31],
    ["a boolean id", '["a",true]', 31],
    ["a nested array", '[["a"]]', 31],
    ["an object id", "[{}]", 31],
    ["an empty id", '["a", ""]', 31],
    ["an unpaired surrogate", '["a\\ud800b"]', 31],
    ["a lone low surrogate", '["\\udc00"]', 31],
    ["deep nesting", "[".repeat(100_000), 31],
  ])("refuses %s with %i", (_label, body, code) => {
    const result = text(body);
    expect(result).toHaveProperty("refusal");
    const { refusal } = result as { refusal: { name: string } };
    expect(refusal.name).toBe(code === 32 ? "MALFORMED_JSON_BODY" : "MALFORMED_PARAMETER");
  });

  it("refuses invalid UTF-8, in an id or outside one", () => {
    for (const bytes of [
      [0x5b, 0x22, 0xff, 0x22, 0x5d],
      [0x5b, 0x22, 0xc3, 0x22, 0x5d],
      [0x5b, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x5d], // a surrogate written as UTF-8 (CESU)
      [0xc3, 0xa9],
      [0xef, 0xbb, 0x5b],
    ]) {
      expect(parse(new Uint8Array(bytes))).toMatchObject({
        refusal: { name: "MALFORMED_JSON_BODY" },
      });
    }
  });

  it("names a bad id by its position, never quoting it", () => {
    const result = text('["fine", "secret-ish", 42]');
    expect(result).toMatchObject({
      refusal: { message: expect.stringMatching(/position 2 is a number/) },
      elements: 3,
    });
    expect(JSON.stringify(result)).not.toMatch(/secret-ish|fine/);
  });

  it("agrees with JSON.parse on which id lists are valid, and on their ids", () => {
    const id = fc.string({ unit: "binary", minLength: 0, maxLength: 8 });
    // Token soup: every structural neighbour of a valid body (`,]`, `[,`, `""`, `[[`, …).
    const token = fc.constantFrom(
      "[",
      "]",
      ",",
      " ",
      "\n",
      '"a"',
      '""',
      '"é"',
      '"\\u00e9"',
      '"\\ud800"',
      '"\\"',
      "1",
      "-0",
      "1e5",
      "0.5",
      "01",
      "-",
      "1.",
      "e",
      "null",
      "nul",
      "true",
      "{}",
      '{"a":1}',
      "\ufeff",
      "x",
    );
    const body = fc.oneof(
      fc.array(id, { maxLength: 5 }).map((ids) => JSON.stringify(ids)),
      fc.array(token, { maxLength: 8 }).map((tokens) => tokens.join("")),
      fc.array(token, { maxLength: 6 }).map((tokens) => `[${tokens.join("")}]`),
      fc.string({ unit: "binary", maxLength: 12 }),
      fc
        .tuple(
          fc.array(id, { minLength: 1, maxLength: 4 }),
          fc.nat(40),
          fc.string({ maxLength: 3 }),
        )
        .map(([ids, at, noise]) => {
          const s = JSON.stringify(ids);
          const i = at % (s.length + 1);
          return s.slice(0, i) + noise + s.slice(i);
        }),
    );
    fc.assert(
      fc.property(body, fc.array(fc.nat(60), { maxLength: 4 }), (source, cuts) => {
        const bytes = encoder.encode(source);
        const expected = reference(bytes);
        const result = parse(bytes, cuts);
        if (expected === undefined) expect(result).toHaveProperty("refusal");
        else expect(result).toEqual({ ids: expected });
        // "Not JSON" (32) only for what JSON.parse refuses too.
        const refusal = "refusal" in result ? result.refusal : undefined;
        if (typeof refusal === "object" && refusal.name === "MALFORMED_JSON_BODY") {
          expect(() => JSON.parse(strictUtf8.decode(bytes))).toThrow();
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe("readIdList", () => {
  const stream = (chunks: string[]) =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
        controller.close();
      },
    });

  it("reads ids across chunks", async () => {
    expect(await readIdList(stream(['["a', '","b"', "]"]), LIMITS)).toEqual({
      kind: "ids",
      ids: ["a", "b"],
    });
  });

  it("reports no body, or zero bytes, as empty (only whitespace is not JSON)", async () => {
    expect(await readIdList(null, LIMITS)).toEqual({ kind: "empty" });
    expect(await readIdList(stream([]), LIMITS)).toEqual({ kind: "empty" });
    expect(await readIdList(stream([" "]), LIMITS)).toMatchObject({ kind: "refused" });
  });

  it("refuses a body over maxBytes as too large, and cancels it", async () => {
    let cancelled = false;
    const endless = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode("["));
      },
      pull(controller) {
        controller.enqueue(encoder.encode('"x",'.repeat(256)));
      },
      cancel() {
        cancelled = true;
      },
    });
    const read: IdListRead = await readIdList(endless, { ...LIMITS, maxBytes: 4096 });
    expect(read).toEqual({ kind: "too-large" });
    expect(cancelled).toBe(true);
  });

  it("turns a transport's cut-off into too large, and throws any other stream error", async () => {
    const failing = (error: unknown) =>
      new ReadableStream<Uint8Array>({
        pull(controller) {
          controller.error(error);
        },
      });
    expect(await readIdList(failing(bodyTooLarge(10)), LIMITS)).toEqual({ kind: "too-large" });
    await expect(readIdList(failing(new Error("gone")), LIMITS)).rejects.toThrow("gone");
  });
});
