// In Chromium: ids read and checked from real File objects (a file input's), streamed.
import { describe, expect, it } from "vitest";
import {
  countFileIds,
  formatOfFile,
  IdReadError,
  idsToFile,
  readFileIds,
  uploadBody,
} from "./index.js";

async function all(file: File, options = {}) {
  const ids: string[] = [];
  for await (const batch of readFileIds(file, options)) ids.push(...batch);
  return ids;
}

describe("formatOfFile", () => {
  it.each([
    ["ids.txt", "", "lines"],
    ["IDS.CSV", "", "csv"],
    ["export.tsv", "", "csv"],
    ["ids.ndjson", "", "ndjson"],
    ["ids.jsonl", "", "ndjson"],
    ["ids.json", "", "json"],
    ["noextension", "text/csv", "csv"],
    ["noextension", "application/x-ndjson", "ndjson"],
    ["noextension", "application/json; charset=utf-8", "json"],
    ["archive.tar.gz", "", "lines"],
  ])("%s (%s) is %s", (name, type, format) => {
    expect(formatOfFile(new File(["x"], name, { type }))).toBe(format);
  });
});

describe("countFileIds", () => {
  it("counts lines with a BOM, CRLF and blank lines, never trimming", async () => {
    const file = new File(["\uFEFFalice\r\n\r\n bob \nçédille\n\n"], "ids.txt");
    await expect(countFileIds(file)).resolves.toEqual({ count: 3 });
    expect(await all(file)).toEqual(["alice", " bob ", "çédille"]);
  });

  it("names the first bad line without quoting it", async () => {
    const long = "x".repeat(1_024);
    const file = new File([`ok-1\nok-2\n${long}\nok-4\n`], "ids.txt");
    const { count, firstProblem } = await countFileIds(file);
    expect(firstProblem?.line).toBe(3);
    expect(firstProblem?.message).toMatch(/^ids\.txt line 3: /);
    expect(firstProblem?.message).not.toContain(long);
    expect(count).toBeLessThanOrEqual(2);
  });

  it("finds invalid UTF-8", async () => {
    const file = new File([new Uint8Array([0x61, 0x0a, 0xff, 0xfe, 0x0a])], "bytes.txt");
    const { firstProblem } = await countFileIds(file);
    expect(firstProblem?.line).toBe(2);
  });

  it("reads a CSV column by its header name, quoted fields included", async () => {
    const file = new File(
      ['email,user_id\nx@example.com,u1\n"a,b@example.com","u,2"\ny@example.com,"multi\nline"\n'],
      "export.csv",
    );
    await expect(countFileIds(file, { column: "user_id" })).resolves.toEqual({ count: 3 });
    expect(await all(file, { column: "user_id" })).toEqual(["u1", "u,2", "multi\nline"]);
  });

  it("reads a .tsv with tabs", async () => {
    const file = new File(["user_id\tname\nu1\tA\nu2\tB\n"], "export.tsv");
    expect(await all(file, { column: "user_id" })).toEqual(["u1", "u2"]);
  });

  it("reads NDJSON and a JSON array, and names a bad row", async () => {
    expect(await all(new File(['"a"\n{"id":"b"}\n'], "ids.ndjson"))).toEqual(["a", "b"]);
    expect(await all(new File(['["a","b"]'], "ids.json"))).toEqual(["a", "b"]);
    const bad = await countFileIds(new File(['"a"\n{"name":"c"}\n'], "ids.ndjson"));
    expect(bad.firstProblem?.line).toBe(2);
  });

  it("streams a file of 300,000 ids in batches", async () => {
    const lines = Array.from({ length: 300_000 }, (_, i) => `user-${i}`).join("\n");
    const file = new File([lines], "big.txt");
    await expect(countFileIds(file)).resolves.toEqual({ count: 300_000 });
    let batches = 0;
    let last = "";
    for await (const batch of readFileIds(file)) {
      batches++;
      last = batch.at(-1) ?? last;
    }
    expect(batches).toBeGreaterThan(1);
    expect(last).toBe("user-299999");
  });

  it("throws an IdReadError from readFileIds", async () => {
    const file = new File([`a\n${"x".repeat(1_024)}\n`], "ids.txt");
    await expect(all(file)).rejects.toBeInstanceOf(IdReadError);
  });
});

describe("idsToFile", () => {
  it("writes one id per line, read back exactly", async () => {
    const ids = ["a", " spaced ", "ünï", "slash/?#"];
    const file = idsToFile(ids, "failed-ids");
    expect(file.name).toBe("failed-ids.txt");
    expect(file.type).toBe("text/plain");
    expect(await all(file)).toEqual(ids);
  });

  it("writes NDJSON when an id holds a line break or starts with a BOM", async () => {
    for (const ids of [
      ["a", "line\nbreak", "cr\r"],
      ["\uFEFFbom", "b"],
    ]) {
      const file = idsToFile(ids, "failed-ids");
      expect(file.name).toBe("failed-ids.ndjson");
      expect(await all(file)).toEqual(ids);
    }
  });

  it("writes an empty file for no ids", async () => {
    expect(idsToFile([], "none").size).toBe(0);
  });
});

describe("uploadBody", () => {
  it("sends lines as they are and converts NDJSON with another field", async () => {
    const lines = new File(["a\nb\n"], "ids.txt");
    expect(await uploadBody(lines)).toEqual({
      body: lines,
      contentType: "text/plain; charset=utf-8",
    });
    const other = new File(['{"user":"a"}\n{"user":"b"}\n'], "ids.ndjson");
    const { body, contentType } = await uploadBody(other, { field: "user" });
    expect(contentType).toBe("application/x-ndjson");
    expect(await body.text()).toBe('"a"\n"b"\n');
  });

  it("refuses a bad CSV row before anything is sent", async () => {
    const file = new File([`user_id\nok\n${"x".repeat(1_024)}\n`], "export.csv");
    await expect(uploadBody(file, { column: "user_id" })).rejects.toBeInstanceOf(IdReadError);
  });
});
