import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { collect, failure, pieces, stream } from "./test-utils.js";

const json = { format: "json" } as const;

describe("readIds: json", () => {
  it("reads a JSON array of strings, with whitespace and escapes", async () => {
    const text = '\n [ "a" ,"b\\"c", "\\u00e9\\ud83d\\ude00" ,\n"d\\\\" ]\n';
    expect(await collect(stream(text), json)).toEqual(["a", 'b"c', "é😀", "d\\"]);
    expect(await collect(stream("[]"), json)).toEqual([]);
  });

  it("reads the same whatever the chunking (escapes and backslashes cut in two)", async () => {
    const text = '["a\\\\", "\\"q\\"", "\\\\\\"", "x\\u0041y"]';
    const want = JSON.parse(text);
    for (const size of [1, 2, 3, 5]) expect(await collect(pieces(text, size), json)).toEqual(want);
  });

  it("round-trips any array of valid ids, in any chunking (fast-check)", async () => {
    const id = fc
      .string({ unit: "grapheme", minLength: 1, maxLength: 20 })
      .filter((s) => s.isWellFormed());
    await fc.assert(
      fc.asyncProperty(
        fc.array(id, { maxLength: 30 }),
        fc.integer({ min: 1, max: 9 }),
        async (ids, size) => {
          expect(await collect(pieces(JSON.stringify(ids, null, 1), size), json)).toEqual(ids);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("names the line of what is not an array of ids, never quoting it", async () => {
    const cases: [string, number, RegExp][] = [
      ["", 1, /empty/],
      ['{"id":"secret"}', 1, /expected a JSON array/],
      ['[\n"a",\n7]', 3, /got a number/],
      ['[\n"a",\n{"id":"secret"}]', 3, /got an object/],
      ['["a" "secret"]', 1, /expected , or ]/],
      ['["a",]', 1, /got unexpected text/],
      ['["a",\n"secret"', 2, /cut off/],
      ['["a"] ["secret"]', 1, /after the end/],
      ['["", "b"]', 1, /the id is empty/],
      ['["\\x41secret"]', 1, /not a valid JSON string/],
      ['["a\tsecret"]', 1, /not a valid JSON string/],
      ['["\\ud800"]', 1, /unpaired UTF-16 surrogate/],
      [`["${"x".repeat(7000)}"]`, 1, /longer than 1023/],
    ];
    for (const [text, line, problem] of cases) {
      const error = await failure(stream(text), { ...json, name: "body" });
      expect(error.message).toMatch(problem);
      expect(error.line).toBe(line);
      expect(error.message).not.toContain("secret");
    }
  });
});
