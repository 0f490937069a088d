import { createReadStream, writeFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable, Transform } from "node:stream";
import { pathToFileURL } from "node:url";
import { createEmulator } from "@batch-custom-data/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BatchValidationError,
  createClient,
  type IdInput,
  IdReadError,
  type ReadIdsOptions,
  readIds,
} from "./index.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "bcd-node-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function collect(input: IdInput, options?: ReadIdsOptions): Promise<string[]> {
  const out: string[] = [];
  for await (const id of readIds(input, options)) out.push(id);
  return out;
}

/** A stream that hands over `text` in pieces of `size` bytes (splitting CRLF and UTF-8). */
function pieces(text: string | Buffer, size: number): Readable {
  const bytes = Buffer.from(text);
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) parts.push(bytes.subarray(i, i + size));
  return Readable.from(parts);
}

async function failure(input: IdInput, options?: ReadIdsOptions): Promise<IdReadError> {
  try {
    await collect(input, options);
  } catch (error) {
    expect(error).toBeInstanceOf(IdReadError);
    expect(error).toBeInstanceOf(BatchValidationError);
    return error as IdReadError;
  }
  throw new Error("expected readIds to fail");
}

describe("readIds: lines", () => {
  it("reads one id per line, LF or CRLF, ignoring blank lines and a trailing newline", async () => {
    const text = "a\r\nb\n\n\r\nc\r\n  d e  \n\tf\n";
    expect(await collect(Readable.from([text]))).toEqual(["a", "b", "c", "  d e  ", "\tf"]);
  });

  it("reads a last line without a newline, and a lone CR before the end", async () => {
    expect(await collect(Readable.from(["a\nb"]))).toEqual(["a", "b"]);
    expect(await collect(Readable.from(["a\r\nb\r"]))).toEqual(["a", "b"]);
    expect(await collect(Readable.from([""]))).toEqual([]);
    expect(await collect(Readable.from(["\n\n\r\n"]))).toEqual([]);
  });

  it("keeps a CR inside a line (only the line ending is removed)", async () => {
    expect(await collect(Readable.from(["a\rb\n"]))).toEqual(["a\rb"]);
  });

  it("handles CRLF and multi-byte characters split across chunks, and drops a BOM", async () => {
    const text = "\uFEFFélodie\r\n用户-1\r\n😀\r\nlast";
    for (const size of [1, 2, 3, 5]) {
      expect(await collect(pieces(text, size))).toEqual(["élodie", "用户-1", "😀", "last"]);
    }
  });

  it("reads a path, a file: URL and string chunks", async () => {
    const file = join(dir, "ids.txt");
    await writeFile(file, "x\ny\n");
    expect(await collect(file)).toEqual(["x", "y"]);
    expect(await collect(pathToFileURL(file))).toEqual(["x", "y"]);
    expect(await collect(["p\nq", "r\n"])).toEqual(["p", "qr"]);
  });

  it("names the line of an id that is too long, and stops reading there", async () => {
    const long = "x".repeat(1024);
    const error = await failure(Readable.from([`a\n\nb\n${long}\nc\n`]), { name: "ids.txt" });
    expect(error.line).toBe(4);
    expect(error.message).toBe("ids.txt line 4: the id is 1024 characters long (at most 1023).");
    // 1023 characters is fine.
    expect(await collect(Readable.from([`${"y".repeat(1023)}\r\n`]))).toHaveLength(1);
  });

  it("refuses a line with no newline for too long without buffering it", async () => {
    let pulled = 0;
    const endless = Readable.from(
      (function* () {
        for (;;) {
          pulled++;
          yield Buffer.alloc(512, "z");
        }
      })(),
    );
    const error = await failure(endless);
    expect(error.line).toBe(1);
    expect(pulled).toBeLessThan(10);
  });

  it("refuses bytes that are not UTF-8, naming the line", async () => {
    const bytes = Buffer.concat([Buffer.from("ok\nfine\n"), Buffer.from([0x63, 0xe9, 0x0a])]);
    const error = await failure(pieces(bytes, 4));
    expect(error.line).toBe(3);
    expect(error.message).toMatch(/not valid UTF-8/);
    const cut = await failure(Readable.from([Buffer.from([0x61, 0x0a, 0xe2, 0x82])]));
    expect(cut.message).toMatch(/middle of a UTF-8 character/);
  });

  it("stops reading the source when the consumer stops", async () => {
    const source = new PassThrough();
    source.write("a\nb\nc\n");
    for await (const id of readIds(source)) {
      expect(id).toBe("a");
      break;
    }
    expect(source.destroyed).toBe(true);
  });

  it("refuses an unknown format and a non-input", () => {
    expect(() => readIds("x", { format: "xml" as never })).toThrow(/format must be one of/);
    expect(() => readIds(42 as never)).toThrow(BatchValidationError);
  });
});

describe("readIds: csv", () => {
  const csv = (text: string, options: ReadIdsOptions = {}) =>
    collect(Readable.from([text]), { format: "csv", ...options });

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
  });

  it("keeps spaces inside fields and drops a BOM", async () => {
    expect(await csv("\uFEFFid\n a \n", { column: "id" })).toEqual([" a "]);
  });

  it("names the line of a row that lacks the column", async () => {
    const error = await failure(Readable.from(["id,x\na,1\n\nb\n"]), {
      format: "csv",
      column: "x",
      name: "users.csv",
    });
    expect(error.line).toBe(4);
    expect(error.message).toBe('users.csv line 4: the row has 1 field, no column "x" (index 1).');
    const byIndex = await failure(Readable.from(["a,1\nb\n"]), { format: "csv", column: 1 });
    expect(byIndex.message).toMatch(/line 2: the row has 1 field, no column 1/);
  });

  it("names the line of an empty id", async () => {
    const error = await failure(Readable.from(['id\r\n"a"\r\n""\r\n']), {
      format: "csv",
      column: "id",
    });
    expect(error.line).toBe(3);
    expect(error.message).toMatch(/the id is empty/);
  });

  it("refuses a header without the column, or with it twice", async () => {
    const none = await failure(Readable.from(["a,b\n1,2\n"]), { format: "csv", column: "id" });
    expect(none.line).toBe(1);
    expect(none.message).toMatch(/no column "id"/);
    const twice = await failure(Readable.from(["id,id\n1,2\n"]), { format: "csv", column: "id" });
    expect(twice.message).toMatch(/twice/);
  });

  it("names the line of malformed CSV", async () => {
    const error = await failure(Readable.from(['id\na\n"b\nc\n']), { format: "csv", column: "id" });
    expect(error.message).toMatch(/not valid CSV/);
    expect(error.line).toBeGreaterThan(0);
  });

  it("refuses bad column options", async () => {
    await expect(csv("a", { column: -1 })).rejects.toThrow(/column must be/);
    await expect(csv("a", { column: "" })).rejects.toThrow(/column must be/);
    await expect(csv("a", { column: "id", header: false })).rejects.toThrow(/needs header/);
  });

  it("passes on an error of the source", async () => {
    const source = new Readable({
      read() {
        this.destroy(new Error("disk on fire"));
      },
    });
    await expect(collect(source, { format: "csv" })).rejects.toThrow("disk on fire");
  });
});

describe("readIds: ndjson", () => {
  const nd = (text: string, options: ReadIdsOptions = {}) =>
    collect(Readable.from([text]), { format: "ndjson", ...options });

  it("reads the id field of each line, CRLF and blank lines too", async () => {
    const text = '{"id":"a","n":1}\r\n\r\n  \n{"id":"b\\nc"}\n{"id":"é"}';
    expect(await nd(text)).toEqual(["a", "b\nc", "é"]);
    expect(await nd('{"user":"x"}\n', { field: "user" })).toEqual(["x"]);
  });

  it("names the line of a malformed row", async () => {
    const cases: [string, number, RegExp][] = [
      ['{"id":"a"}\n{"id":"b"\n', 2, /not valid JSON/],
      ['{"id":"a"}\n\n{"uid":"b"}\n', 3, /field "id" is missing/],
      ['{"id":"a"}\n{"id":42}\n', 2, /field "id" is a number, not a string/],
      ['{"id":null}\n', 1, /is null, not a string/],
      ['"a"\n', 1, /expected a JSON object.*got a string/],
      ["[1]\n", 1, /got an array/],
      ['{"id":""}\n', 1, /the id is empty/],
      ['{"id":"\\ud800"}\n', 1, /unpaired UTF-16 surrogate/],
    ];
    for (const [text, line, message] of cases) {
      const error = await failure(Readable.from([text]), { format: "ndjson", name: "in.ndjson" });
      expect(error.line).toBe(line);
      expect(error.message).toMatch(message);
      expect(error.message.startsWith(`in.ndjson line ${line}: `)).toBe(true);
    }
  });
});

describe("readIds: a 1,000,000-line file in flat memory", () => {
  const N = 1_000_000;
  let file: string;
  beforeAll(() => {
    file = join(dir, "million.txt");
    const lines: string[] = new Array(N);
    for (let i = 0; i < N; i++) lines[i] = `user-${i}`;
    writeFileSync(file, `${lines.join("\n")}\n`);
    writeFileSync(`${file}.csv`, `id,n\n${lines.map((l) => `${l},1`).join("\r\n")}\r\n`);
    writeFileSync(`${file}.ndjson`, `${lines.map((l) => `{"id":"${l}"}`).join("\n")}\n`);
  });

  /**
   * Counts the bytes pulled from the file against the bytes of the ids consumed so far:
   * if readIds buffered ahead (or kept what it read), the gap would grow with the file.
   */
  async function readAhead(path: string, options: ReadIdsOptions, perRow: (id: string) => number) {
    let pulled = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        pulled += chunk.length;
        done(null, chunk);
      },
    });
    const source = createReadStream(path).pipe(counter);
    let consumed = options.format === "csv" ? 5 : 0; // the header row
    let count = 0;
    let maxGap = 0;
    let last = "";
    for await (const id of readIds(source, options)) {
      consumed += perRow(id);
      count++;
      last = id;
      if (count % 1000 === 0) maxGap = Math.max(maxGap, pulled - consumed);
    }
    return { count, last, maxGap, pulled };
  }

  it("lines: every id, read at most a few chunks ahead of the consumer", async () => {
    const { count, last, maxGap, pulled } = await readAhead(file, {}, (id) => id.length + 1);
    expect(count).toBe(N);
    expect(last).toBe(`user-${N - 1}`);
    expect(pulled).toBeGreaterThan(10_000_000);
    expect(maxGap).toBeLessThan(512 * 1024);
  });

  it("csv: same", async () => {
    const options: ReadIdsOptions = { format: "csv", column: "id" };
    const { count, last, maxGap } = await readAhead(`${file}.csv`, options, (id) => id.length + 4);
    expect(count).toBe(N);
    expect(last).toBe(`user-${N - 1}`);
    expect(maxGap).toBeLessThan(1024 * 1024);
  });

  it("ndjson: same", async () => {
    const options: ReadIdsOptions = { format: "ndjson" };
    const { count, maxGap } = await readAhead(`${file}.ndjson`, options, (id) => id.length + 10);
    expect(count).toBe(N);
    expect(maxGap).toBeLessThan(512 * 1024);
  });

  it("by path too", async () => {
    let count = 0;
    for await (const _ of readIds(file)) count++;
    expect(count).toBe(N);
  });
});

describe("readIds with the client", () => {
  it("streams a file into deleteUsers: every user's data gone", async () => {
    const emulator = createEmulator({ apps: ["APP"], restApiKey: "REST", processingDelayMs: 0 });
    emulator.seed("APP", 25_000);
    const file = join(dir, "seeded.txt");
    const ids = Array.from({ length: 25_000 }, (_, i) => `user-${i + 1}`);
    await writeFile(file, ids.join("\r\n"));
    const client = createClient({ apiKey: "APP", restApiKey: "REST", fetch: emulator.fetch });
    const report = await client.deleteUsers(readIds(file));
    expect(report).toMatchObject({ requested: 25_000, confirmed: 25_000, calls: 3 });
    await emulator.settled();
    expect(emulator.count("APP")).toBe(0);
    emulator.close();
  });

  it("a bad row stops the run with an error naming its line, and the report", async () => {
    const emulator = createEmulator({ apps: ["APP"], restApiKey: "REST" });
    const client = createClient({ apiKey: "APP", restApiKey: "REST", fetch: emulator.fetch });
    const text = `${Array.from({ length: 30 }, (_, i) => `{"id":"u${i}"}`).join("\n")}\n{"id":1}\n`;
    const error = (await client
      .deleteUsers(readIds(Readable.from([text]), { format: "ndjson" }), { chunkSize: 10 })
      .catch((e: unknown) => e)) as IdReadError & { report: { confirmed: number } };
    expect(error).toBeInstanceOf(IdReadError);
    expect(error.line).toBe(31);
    expect(error.report.confirmed).toBe(30);
    emulator.close();
  });
});
