import { describe, expect, it } from "vitest";
import { BatchValidationError } from "../errors.js";
import { countIds, readIds } from "./index.js";
import { collect, failure, pieces, stream } from "./test-utils.js";

describe("readIds: lines", () => {
  it("reads one id per line, LF or CRLF, ignoring blank lines and a trailing newline", async () => {
    const text = "a\r\nb\n\n\r\nc\r\n  d e  \n\tf\n";
    expect(await collect(stream(text))).toEqual(["a", "b", "c", "  d e  ", "\tf"]);
  });

  it("reads a last line without a newline, and a lone CR before the end", async () => {
    expect(await collect(stream("a\nb"))).toEqual(["a", "b"]);
    expect(await collect(stream("a\nb\r"))).toEqual(["a", "b"]);
    expect(await collect(stream(""))).toEqual([]);
    expect(await collect(stream("\n\n\r\n"))).toEqual([]);
  });

  it("keeps a CR inside a line (only the line ending is removed)", async () => {
    expect(await collect(stream("a\rb\n"))).toEqual(["a\rb"]);
  });

  it("handles CRLF and multi-byte characters split across chunks, and drops a BOM", async () => {
    const text = "\uFEFFélodie\r\n用户-1\r\n😀\r\nlast";
    for (const size of [1, 2, 3, 5]) {
      expect(await collect(pieces(text, size))).toEqual(["élodie", "用户-1", "😀", "last"]);
    }
  });

  it("reads async and sync iterables of bytes or strings, a BOM in a string too", async () => {
    expect(await collect(["p\nq", "r\n"])).toEqual(["p", "qr"]);
    expect(await collect(["\uFEFFx\ny"])).toEqual(["x", "y"]);
    const bytes = new TextEncoder().encode("u1\nu2\n");
    expect(
      await collect(
        (async function* () {
          yield bytes.subarray(0, 3);
          yield bytes.subarray(3);
        })(),
      ),
    ).toEqual(["u1", "u2"]);
  });

  it("hands ids on in batches, at most one per chunk of input", async () => {
    const batches: string[][] = [];
    for await (const batch of readIds(["a\nb\n", "c\n", "\n", "d\ne"])) batches.push(batch);
    expect(batches).toEqual([["a", "b"], ["c"], ["d"], ["e"]]);
  });

  it("names the line of an id that is too long or not valid Unicode, without quoting it", async () => {
    const long = "x".repeat(1024);
    const error = await failure(stream(`a\n\nb\n${long}\nc\n`), { name: "ids.txt" });
    expect(error.line).toBe(4);
    expect(error.source).toBe("ids.txt");
    expect(error.message).toBe("ids.txt line 4: the id is 1024 characters long (at most 1023).");
    expect(await collect(stream(`${"y".repeat(1023)}\r\n`))).toHaveLength(1);
    const lone = await failure(["ok\n\uD800secret\n"]);
    expect(lone.line).toBe(2);
    expect(lone.message).not.toContain("secret");
  });

  it("refuses a line with no newline for too long without buffering it", async () => {
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(512).fill(0x7a));
      },
    });
    const error = await failure(endless);
    expect(error.line).toBe(1);
    expect(pulled).toBeLessThan(10);
  });

  it("refuses bytes that are not UTF-8, naming the exact line", async () => {
    const bad = new Uint8Array([...new TextEncoder().encode("ok\nfine\n"), 0x63, 0xe9, 0x0a]);
    for (const size of [1, 4, 100]) {
      const error = await failure(pieces(bad, size));
      expect(error.line).toBe(3);
      expect(error.message).toMatch(/not valid UTF-8/);
    }
    // The bad byte deep inside a big chunk, after many lines.
    const many = new TextEncoder().encode(`${"id\n".repeat(500)}x`);
    const deep = new Uint8Array([...many, 0xff, 0x0a, 0x61]);
    expect((await failure(stream(deep))).line).toBe(501);
    const cut = await failure(stream(new Uint8Array([0x61, 0x0a, 0xe2, 0x82])));
    expect(cut.message).toMatch(/middle of a UTF-8 character/);
    expect(cut.line).toBe(2);
  });

  it("cancels the stream when the consumer stops early", async () => {
    let cancelled = false;
    const source = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("a\nb\n"));
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const batch of readIds(source)) {
      expect(batch).toEqual(["a", "b"]);
      break;
    }
    expect(cancelled).toBe(true);
  });

  it("stops a stalled stream at once when its signal aborts", async () => {
    const controller = new AbortController();
    const stalled = new ReadableStream<Uint8Array>({ pull: () => new Promise(() => {}) });
    const reading = collect(stalled, { signal: controller.signal });
    controller.abort(new Error("stop reading"));
    await expect(reading).rejects.toThrow("stop reading");
  });

  it("passes on an error of the source", async () => {
    const broken = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.error(new Error("disk on fire"));
      },
    });
    await expect(collect(broken)).rejects.toThrow("disk on fire");
  });

  it("refuses an unknown format, bad options and a non-input at once", () => {
    expect(() => readIds(stream("x"), { format: "xml" as never })).toThrow(/format must be one of/);
    expect(() => readIds(42 as never)).toThrow(BatchValidationError);
    expect(() => readIds("ids.txt" as never)).toThrow(/ReadableStream/);
  });
});

describe("countIds", () => {
  it("counts, or returns the first problem with its line", async () => {
    expect(await countIds(stream("a\nb\n\nc\n"))).toEqual({ count: 3 });
    const { firstProblem } = await countIds(stream(`a\n${"z".repeat(2000)}\n`), { name: "f" });
    expect(firstProblem?.line).toBe(2);
    expect(firstProblem?.message).toMatch(/^f line 2: /);
  });

  it("throws what the source throws", async () => {
    const broken = new ReadableStream({ pull: (c) => c.error(new Error("gone")) });
    await expect(countIds(broken)).rejects.toThrow("gone");
  });
});

describe("ids before a bad row", () => {
  it("are handed on before the error, in every format", async () => {
    const cases: [string, Parameters<typeof readIds>[1]][] = [
      [`a\nb\n${"x".repeat(1024)}\nc\n`, {}],
      ['{"id":"a"}\n"b"\n{"id":7}\n', { format: "ndjson" }],
      ['id\na\nb\n"c\n', { format: "csv", column: "id" }],
      ["id,n\na,1\nb,2\nc\n", { format: "csv", column: "n" }],
      ['["a","b",7]', { format: "json" }],
    ];
    for (const [text, options] of cases) {
      const got: string[] = [];
      const reading = (async () => {
        for await (const batch of readIds(stream(text), options)) got.push(...batch);
      })();
      await expect(reading).rejects.toThrow(/line \d/);
      expect(got).toEqual(
        options?.format === "csv" && options.column === "n" ? ["1", "2"] : ["a", "b"],
      );
    }
  });
});
