import { parse } from "csv-parse/sync";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CsvParser, type CsvRecord } from "./csv.js";
import { type ReadIdsOptions, readIds } from "./index.js";
import { collect, failure, pieces, stream } from "./test-utils.js";

const csv = (text: string, options: ReadIdsOptions = {}) =>
  collect(stream(text), { format: "csv", ...options });

describe("readIds: csv", () => {
  it("picks a column by header name, with quoted fields, CRLF and blank lines", async () => {
    const text =
      'name,id,note\r\n"Doe, Jane","u-1","said ""hi"""\r\n\r\nBob,u-2,x\n"multi\nline",u-3,\n';
    expect(await csv(text, { column: "id" })).toEqual(["u-1", "u-2", "u-3"]);
    expect(await csv(text, { column: "name" })).toEqual(["Doe, Jane", "Bob", "multi\nline"]);
  });

  it("picks a column by index: no header unless told", async () => {
    expect(await csv("a,1\nb,2\nc,3")).toEqual(["a", "b", "c"]);
    expect(await csv("a,1\nb,2\n", { column: 1 })).toEqual(["1", "2"]);
    expect(await csv("id,n\nb,2\n", { column: 0, header: true })).toEqual(["b"]);
    expect(await csv('id;n\n"x;y";2\n', { column: "id", delimiter: ";" })).toEqual(["x;y"]);
    expect(await csv("id\tn\nx\t2\n", { column: "n", delimiter: "\t" })).toEqual(["2"]);
  });

  it("keeps spaces inside fields and drops a BOM", async () => {
    expect(await csv("\uFEFFid\n a \n", { column: "id" })).toEqual([" a "]);
  });

  it("reads the same whatever the chunking", async () => {
    const text = 'id,x\r\n"a\r\nb","1"\r\n"c""d",2\r\n\r\ne,3\r\n"g",""\r\nf\r,5';
    const want = await csv(text, { column: 0, header: true });
    expect(want).toEqual(["a\r\nb", 'c"d', "e", "g", "f\r"]);
    for (const size of [1, 2, 3, 7]) {
      const got = await collect(pieces(text, size), { format: "csv", column: 0, header: true });
      expect(got).toEqual(want);
    }
  });

  it("names the line of a row that lacks the column", async () => {
    const error = await failure(stream("id,x\na,1\n\nb\n"), {
      format: "csv",
      column: "x",
      name: "users.csv",
    });
    expect(error.line).toBe(4);
    expect(error.message).toBe('users.csv line 4: the row has 1 field, no column "x" (index 1).');
    const byIndex = await failure(stream("a,1\nb\n"), { format: "csv", column: 1 });
    expect(byIndex.message).toMatch(/line 2: the row has 1 field, no column 1/);
  });

  it("names the line where a multi-line record starts", async () => {
    const error = await failure(stream('id\na\n"b\nc\n"\n""\n'), { format: "csv", column: "id" });
    expect(error.line).toBe(6);
    expect(error.message).toMatch(/the id is empty/);
  });

  it("refuses a header without the column, or with it twice", async () => {
    const none = await failure(stream("a,b\n1,2\n"), { format: "csv", column: "id" });
    expect(none.line).toBe(1);
    expect(none.message).toMatch(/no column "id"/);
    const twice = await failure(stream("id,id\n1,2\n"), { format: "csv", column: "id" });
    expect(twice.message).toMatch(/twice/);
  });

  it("names the line of malformed CSV without quoting the row", async () => {
    const cases: [string, number, RegExp][] = [
      ['id\na\n"secret\nc\n', 3, /quoted field is never closed/],
      ['id\n"secret"x\n', 2, /after a closing quote/],
      ['id\nsec"ret\n', 2, /quote inside an unquoted field/],
      ['id\n"secret"\r', 2, /lone carriage return/],
    ];
    for (const [text, line, problem] of cases) {
      const error = await failure(stream(text), { format: "csv", column: "id" });
      expect(error.message).toMatch(/not valid CSV/);
      expect(error.message).toMatch(problem);
      expect(error.line).toBe(line);
      expect(error.message).not.toContain("secret");
    }
  });

  it("names the line of bytes that are not UTF-8", async () => {
    const bytes = new Uint8Array([...new TextEncoder().encode("id\na\n"), 0xc3, 0x28, 0x0a]);
    expect((await failure(stream(bytes), { format: "csv", column: "id" })).line).toBe(3);
  });

  it("refuses bad options at once, before reading", () => {
    const bad = (options: ReadIdsOptions) => () =>
      readIds(stream("a"), { format: "csv", ...options });
    expect(bad({ column: -1 })).toThrow(/column must be/);
    expect(bad({ column: "" })).toThrow(/column must be/);
    expect(bad({ column: "id", header: false })).toThrow(/needs header/);
    expect(bad({ delimiter: ";;" })).toThrow(/delimiter must be one character/);
    expect(bad({ delimiter: '"' })).toThrow(/delimiter/);
  });
});

/** What csv-parse (the maintained parser the CLI used before) makes of `text`, or "error". */
function oracle(text: string, delimiter: string): string[][] | "error" {
  try {
    return parse(text, {
      delimiter,
      record_delimiter: ["\r\n", "\n"],
      skip_empty_lines: true,
      relax_column_count: true,
    });
  } catch {
    return "error";
  }
}

function ours(parts: string[], delimiter: string): string[][] | "error" {
  const parser = new CsvParser(delimiter);
  const out: CsvRecord[] = [];
  try {
    for (const part of parts) parser.push(part, out);
    parser.end(out);
  } catch {
    return "error";
  }
  return out.map((record) => record.fields);
}

/** Text made of the characters that matter to CSV, cut into arbitrary pieces. */
const csvText = (delimiter: string) =>
  fc
    .array(fc.constantFrom("a", "b", " ", "é", "😀", '"', '"', delimiter, "\n", "\r", "\r\n"), {
      maxLength: 60,
    })
    .map((chars) => chars.join(""));

const split = (text: string, cuts: number[]) => {
  const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
  const parts: string[] = [];
  let from = 0;
  for (const point of points) {
    parts.push(text.slice(from, point));
    from = point;
  }
  parts.push(text.slice(from));
  return parts.filter((part) => part !== "");
};

describe("CsvParser against csv-parse (fast-check)", () => {
  for (const delimiter of [",", ";", "\t"]) {
    it(`parses random quoted, multi-line input like csv-parse, delimiter ${JSON.stringify(delimiter)}, in any chunking`, () => {
      fc.assert(
        fc.property(csvText(delimiter), fc.array(fc.nat(), { maxLength: 6 }), (text, cuts) => {
          expect(ours(split(text, cuts), delimiter)).toEqual(oracle(text, delimiter));
        }),
        { numRuns: 3000 },
      );
    });
  }

  it("agrees on well-formed CSV written by a generator (quoted fields of anything)", () => {
    const field = fc.string({ unit: fc.constantFrom("x", ",", '"', "\n", "\r", " ", "ü") });
    const record = fc.array(field, { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(fc.array(record, { maxLength: 8 }), fc.array(fc.nat()), (records, cuts) => {
        const text = records
          .map((r) => r.map((f) => `"${f.replaceAll('"', '""')}"`).join(","))
          .join("\r\n");
        const want = oracle(text, ",");
        expect(want).not.toBe("error");
        expect(ours(split(text, cuts), ",")).toEqual(want);
      }),
      { numRuns: 1000 },
    );
  });
});
