import { execFileSync, spawn } from "node:child_process";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import type { IdSource } from "@batch-custom-data/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UsageError } from "../usage.js";
import { type InputFlags, inferFormat, openInput, planInput, readOptions } from "./input.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "bcd-input-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function all(ids: IdSource): Promise<string[]> {
  const out: string[] = [];
  for await (const item of ids as AsyncIterable<string | string[]>) {
    out.push(...(typeof item === "string" ? [item] : item));
  }
  return out;
}

const stdin = (text: string) => Readable.from([Buffer.from(text)]);

describe("planInput", () => {
  it("- means stdin, alone or as --file -: never a user named -", () => {
    expect(planInput(["-"], {})).toEqual({
      kind: "stdin",
      options: { format: "lines", field: undefined, name: "stdin" },
    });
    expect(planInput([], { file: "-" })).toMatchObject({ kind: "stdin" });
    expect(planInput(["-"], { format: "csv", column: "0" })).toMatchObject({
      kind: "stdin",
      options: { format: "csv", column: 0 },
    });
    for (const [args, flags] of [
      [["a", "-"], {}],
      [["-", "-"], {}],
      [["-"], { file: "x" }],
    ] as [string[], InputFlags][]) {
      expect(() => planInput(args, flags)).toThrow(/- \(stdin\) is the only input/);
    }
  });

  it("arguments are checked like any id, and take no format flags", () => {
    expect(planInput(["a", " b "], {})).toEqual({ kind: "arguments", ids: ["a", " b "] });
    expect(() => planInput(["a", ""], {})).toThrow(/^Argument 2: the id is empty\.$/);
    expect(() => planInput(["a"], { column: "0" })).toThrow(/apply to --file/);
    expect(() => planInput(["a"], { header: true })).toThrow(/apply to --file/);
    expect(() => planInput(["a"], { file: "x" })).toThrow(/not both/);
    expect(() => planInput([], {})).toThrow(/No ids given: .*give - to read stdin/);
    expect(() => planInput([], { file: "" })).toThrow(/--file needs a path/);
    expect(planInput([], { file: "ids.csv", column: "user_id" })).toMatchObject({
      kind: "file",
      path: "ids.csv",
      options: { format: "csv", column: "user_id", header: true, name: "ids.csv" },
    });
  });

  it("the format comes from --format, the csv/ndjson flags, or the extension", () => {
    expect(inferFormat({ file: "a.CSV" })).toBe("csv");
    expect(inferFormat({ file: "a.jsonl" })).toBe("ndjson");
    expect(inferFormat({ file: "a.ndjson" })).toBe("ndjson");
    expect(inferFormat({ file: "a.json" })).toBe("json");
    expect(inferFormat({ file: "a.txt" })).toBe("lines");
    expect(inferFormat({ file: "-" })).toBe("lines");
    expect(inferFormat({ file: "a.txt", delimiter: ";" })).toBe("csv");
    expect(inferFormat({ file: "a.txt", field: "uid" })).toBe("ndjson");
    expect(inferFormat({ file: "a.csv", format: "lines" })).toBe("lines");
  });

  it("refuses flags of another format, and a csv without its column", () => {
    expect(() => readOptions({ format: "lines", column: "0" }, "x")).toThrow(
      /apply to --format csv/,
    );
    expect(() => readOptions({ format: "csv", field: "id" }, "x")).toThrow(/--field applies/);
    expect(() => readOptions({ format: "csv" }, "x")).toThrow(/needs --column/);
    expect(() => readOptions({ format: "csv", column: "" }, "x")).toThrow(/needs --column/);
    expect(() => readOptions({ format: "csv", column: "0", delimiter: ";;" }, "x")).toThrow(
      /one character/,
    );
    expect(readOptions({ format: "csv", column: "2", header: true, delimiter: ";" }, "x")).toEqual({
      format: "csv",
      column: 2,
      header: true,
      delimiter: ";",
      name: "x",
    });
  });
});

describe("openInput", () => {
  it("arguments: their count is known", async () => {
    const input = await openInput(planInput(["a", "b"], {}), { stdin: stdin(""), precheck: true });
    expect(input).toMatchObject({ name: "arguments", total: 2 });
    expect(await all(input!.ids)).toEqual(["a", "b"]);
  });

  it("stdin: read once, count unknown", async () => {
    const input = await openInput(planInput(["-"], {}), { stdin: stdin("a\nb\n"), precheck: true });
    expect(input?.name).toBe("stdin");
    expect(input?.total).toBeUndefined();
    expect(await all(input!.ids)).toEqual(["a", "b"]);
  });

  it("a regular file is counted first; a bad row stops before anything is sent", async () => {
    const path = join(dir, "ids.txt");
    await writeFile(path, "a\r\nb\n\nc");
    const input = await openInput(planInput([], { file: path }), {
      stdin: stdin(""),
      precheck: true,
    });
    expect(input).toMatchObject({ name: path, total: 3 });
    expect(await all(input!.ids)).toEqual(["a", "b", "c"]);
    const unchecked = await openInput(planInput([], { file: path }), {
      stdin: stdin(""),
      precheck: false,
    });
    expect(unchecked?.total).toBeUndefined();

    const bad = join(dir, "bad.ndjson");
    await writeFile(bad, '{"id":"a"}\n{"id":2}\n');
    await expect(
      openInput(planInput([], { file: bad }), { stdin: stdin(""), precheck: true }),
    ).rejects.toThrow(/bad\.ndjson line 2: .* Nothing was sent\.$/);
  });

  it("a stop during the count: undefined, nothing opened", async () => {
    const path = join(dir, "stop.txt");
    await writeFile(path, "a\nb\n");
    const stopped = AbortSignal.abort();
    const plan = planInput([], { file: path });
    expect(
      await openInput(plan, { stdin: stdin(""), precheck: true, signal: stopped }),
    ).toBeUndefined();
  });

  it("missing, a directory, unreadable: usage errors naming the path", async () => {
    const open = (file: string) =>
      openInput(planInput([], { file }), { stdin: stdin(""), precheck: true });
    await expect(open(join(dir, "none.txt"))).rejects.toThrow(/none\.txt: no such file/);
    await expect(open(dir)).rejects.toThrow(/is a directory/);
    if (process.getuid?.() !== 0) {
      const locked = join(dir, "locked.txt");
      await writeFile(locked, "a\n");
      await chmod(locked, 0o000);
      await expect(open(locked)).rejects.toThrow(/cannot be read \(EACCES\)/);
    }
    await expect(open(join(dir, "none.txt"))).rejects.toBeInstanceOf(UsageError);
  });

  it("a FIFO is read through the event loop, and closing it releases it", async () => {
    const fifo = join(dir, "in.fifo");
    execFileSync("mkfifo", [fifo]);
    const input = await openInput(planInput([], { file: fifo }), {
      stdin: stdin(""),
      precheck: true,
    });
    expect(input?.total).toBeUndefined();
    // Opened before any writer: the read waits for one, then ends when it closes.
    const writer = spawn("/bin/sh", ["-c", `printf 'x\\ny\\n' > '${fifo}'`]);
    expect(await all(input!.ids)).toEqual(["x", "y"]);
    await new Promise((resolve) => writer.on("close", resolve));
    input!.close();

    // Nobody ever writes: closing it leaves nothing that would keep the process alive.
    const idle = await openInput(planInput([], { file: fifo }), {
      stdin: stdin(""),
      precheck: true,
    });
    idle!.close();
  });
});
