import { describe, expect, it } from "vitest";
import type { ReadIdsOptions } from "./index.js";
import { collect, failure, pieces, stream } from "./test-utils.js";

const nd = (text: string, options: ReadIdsOptions = {}) =>
  collect(stream(text), { format: "ndjson", ...options });

describe("readIds: ndjson", () => {
  it("reads the id field of each line, or a bare JSON string; CRLF and blank lines too", async () => {
    const text = '{"id":"a","n":1}\r\n\r\n  \n{"id":"b\\nc"}\n"d"\n{"id":"é"}';
    expect(await nd(text)).toEqual(["a", "b\nc", "d", "é"]);
    expect(await nd('{"user":"x"}\n', { field: "user" })).toEqual(["x"]);
    expect(await collect(pieces('{"id":"😀"}\n{"id":"b"}', 3), { format: "ndjson" })).toEqual([
      "😀",
      "b",
    ]);
  });

  it("names the line of a malformed row, never quoting it", async () => {
    const cases: [string, number, RegExp][] = [
      ['{"id":"a"}\n{"id":"secret"\n', 2, /not valid JSON/],
      ['{"id":"a"}\n\n{"uid":"secret"}\n', 3, /field "id" is missing/],
      ['{"id":"a"}\n{"id":42}\n', 2, /field "id" is a number, not a string/],
      ['{"id":null}\n', 1, /is null, not a string/],
      ["[1]\n", 1, /got an array/],
      ["7\n", 1, /got a number/],
      ['{"id":""}\n', 1, /the id is empty/],
      ['{"id":"\\ud800"}\n', 1, /unpaired UTF-16 surrogate/],
      ["secret\n", 1, /not valid JSON/],
    ];
    for (const [text, line, message] of cases) {
      const error = await failure(stream(text), { format: "ndjson", name: "in.ndjson" });
      expect(error.line).toBe(line);
      expect(error.message).toMatch(message);
      expect(error.message.startsWith(`in.ndjson line ${line}: `)).toBe(true);
      expect(error.message).not.toContain("secret");
    }
  });
});
