import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chunkHash, targetHash } from "./hash.js";
import { Journal, JournalError, type JournalOptions } from "./journal.js";

let dir: string;
let n = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "bcd-journal-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const target = targetHash("http://127.0.0.1:1/1.0/", ["APP_KEY_1"]);
const options: JournalOptions = { defaultChunkSize: 3, apps: 1, target };
const path = () => join(dir, `j${n++}.jsonl`);
const lines = (p: string) => readFileSync(p, "utf8").split("\n");

describe("hashes", () => {
  it("tell chunks apart unambiguously, and never hold a key", () => {
    expect(chunkHash(["a,b"])).not.toBe(chunkHash(["a", "b"]));
    expect(chunkHash(["a\nb"])).not.toBe(chunkHash(["a", "b"]));
    expect(chunkHash(["a", "b"])).toBe(chunkHash(["a", "b"]));
    expect(chunkHash(["a"])).toMatch(/^[0-9a-f]{32}$/);
    expect(target).not.toContain("APP_KEY_1");
    // A trailing slash does not make another target; another key or URL does.
    expect(targetHash("http://127.0.0.1:1/1.0", ["APP_KEY_1"])).toBe(target);
    expect(targetHash("http://127.0.0.1:1/1.0", ["APP_KEY_2"])).not.toBe(target);
    expect(targetHash("http://127.0.0.1:2/1.0", ["APP_KEY_1"])).not.toBe(target);
  });
});

describe("Journal", () => {
  it("writes a header, then one flushed line per confirmed chunk; a reopen knows them", () => {
    const p = path();
    const journal = new Journal(p, options);
    expect(journal.chunkSize).toBe(3);
    journal.record(0, ["a", "b", "c"], [{ app: "0", token: "t0" }]);
    journal.record(2, ["g"], [{ app: "0", token: "t2" }]);
    // On disk before close: a kill -9 now would keep both.
    const [header, first, second, end] = lines(p);
    expect(JSON.parse(header!)).toMatchObject({
      journal: "batch-custom-data",
      version: 1,
      chunkSize: 3,
      apps: 1,
      target,
    });
    expect(JSON.parse(first!)).toMatchObject({
      chunk: 0,
      ids: 3,
      sha256: chunkHash(["a", "b", "c"]),
      tokens: [{ app: "0", token: "t0" }],
    });
    expect(JSON.parse(second!)).toMatchObject({ chunk: 2, ids: 1 });
    expect(end).toBe("");
    journal.close();

    const again = new Journal(p, { ...options, defaultChunkSize: 10_000 });
    expect(again.chunkSize).toBe(3);
    expect(again.size).toEqual({ chunks: 2, ids: 4 });
    expect(again.isConfirmed(0, ["a", "b", "c"])).toBe(true);
    expect(again.isConfirmed(0, ["a", "b", "x"])).toBe(false);
    expect(again.isConfirmed(1, ["d", "e", "f"])).toBe(false);
    expect(again.isConfirmed(2, ["g"])).toBe(true);
    expect(again.repaired).toBe(false);
    again.record(1, ["d", "e", "f"], []);
    again.close();
    expect(lines(p)).toHaveLength(5);
  });

  it("cuts off a torn last line (a kill mid-write) and carries on", () => {
    const p = path();
    const journal = new Journal(p, options);
    journal.record(0, ["a", "b", "c"], []);
    journal.close();
    appendFileSync(p, '{"chunk":1,"ids":3,"sha');
    const again = new Journal(p, options);
    expect(again.repaired).toBe(true);
    expect([...again.confirmed.keys()]).toEqual([0]);
    again.record(1, ["d", "e", "f"], []);
    again.close();
    expect(lines(p).map((l) => (l ? JSON.parse(l).chunk : l))).toEqual([undefined, 0, 1, ""]);
  });

  it("a torn header is the new journal of a run killed as it began", () => {
    const p = path();
    writeFileSync(p, '{"journal":"batch-cus');
    const journal = new Journal(p, options);
    expect(journal.repaired).toBe(true);
    journal.close();
    expect(JSON.parse(lines(p)[0]!)).toMatchObject({ journal: "batch-custom-data" });
  });

  it("a file that is not a journal is refused and left as it is, whatever its shape", () => {
    for (const text of ["user-1\nuser-2\nuser-3", "user-1", "\n\n\n", '{"id":"u1"}\n{"id":"u2"}']) {
      const p = path();
      writeFileSync(p, text);
      expect(() => new Journal(p, options), JSON.stringify(text)).toThrow(
        /is not a batch-custom-data journal: .*It was left as it is\./,
      );
      expect(readFileSync(p, "utf8")).toBe(text);
    }
    // A big file of ids is not read whole to find that out.
    const big = path();
    writeFileSync(big, `${"x".repeat(1 << 20)}\n`);
    expect(() => new Journal(big, options)).toThrow(/not a batch-custom-data journal/);
  });

  it("a header changed by hand is refused before anything is written", () => {
    const p = path();
    new Journal(p, options).close();
    const header = JSON.parse(lines(p)[0]!);
    const cases: [object, RegExp][] = [
      [{ chunkSize: 0 }, /line 1: chunkSize must be a whole number from 1 to 10000/],
      [{ chunkSize: 10_001 }, /chunkSize/],
      [{ chunkSize: "3" }, /chunkSize/],
      [{ apps: 0 }, /apps must be a whole number from 1/],
      [{ target: "x" }, /target must be 32 hex digits/],
    ];
    for (const [change, message] of cases) {
      const tampered = path();
      const text = `${JSON.stringify({ ...header, ...change })}\n{"chunk":0,"ids":1,"sha256":"`;
      writeFileSync(tampered, text);
      expect(() => new Journal(tampered, options)).toThrow(message);
      expect(readFileSync(tampered, "utf8")).toBe(text);
    }
    const entry = path();
    writeFileSync(entry, `${lines(p)[0]}\n{"chunk":-1,"ids":1,"sha256":"x"}\n`);
    expect(() => new Journal(entry, options)).toThrow(/line 2 is not a journal entry/);
    const tooMany = path();
    writeFileSync(tooMany, `${lines(p)[0]}\n{"chunk":0,"ids":4,"sha256":"x"}\n`);
    expect(() => new Journal(tooMany, options)).toThrow(/line 2 is not a journal entry/);
  });

  it("without a target (a dry run without keys) the journal's apps are not checked", () => {
    const p = path();
    new Journal(p, options).close();
    const journal = new Journal(p, { ...options, target: undefined, apps: 0, readOnly: true });
    expect(journal.chunkSize).toBe(3);
  });

  it("refuses a journal of other apps, another chunk size, another version, or damage", () => {
    const p = path();
    new Journal(p, options).close();
    const refuse = (o: Partial<JournalOptions>, message: RegExp, file = p) => {
      expect(() => new Journal(file, { ...options, ...o })).toThrow(JournalError);
      expect(() => new Journal(file, { ...options, ...o })).toThrow(message);
    };
    refuse(
      { target: targetHash("http://other/1.0", ["APP_KEY_1"]) },
      /other app keys or another base URL/,
    );
    refuse({ apps: 2 }, /other app keys/);
    refuse({ chunkSize: 5 }, /--chunk-size 3/);

    const notOurs = path();
    writeFileSync(notOurs, '{"hello":1}\n');
    refuse({}, /is not a batch-custom-data journal/, notOurs);
    const future = path();
    writeFileSync(
      future,
      `${JSON.stringify({ journal: "batch-custom-data", version: 9, chunkSize: 3 })}\n`,
    );
    refuse({}, /version 9 journal/, future);
    const notJson = path();
    writeFileSync(notJson, "{oops\n");
    refuse({}, /is not a batch-custom-data journal/, notJson);
    const damaged = path();
    writeFileSync(damaged, `${readFileSync(p, "utf8")}garbage\n{"chunk":0,"ids":1,"sha256":"x"}\n`);
    refuse({}, /line 2 is not valid JSON/, damaged);
    const wrongShape = path();
    writeFileSync(wrongShape, `${readFileSync(p, "utf8")}{"chunk":"0"}\n`);
    refuse({}, /line 2 is not a journal entry/, wrongShape);
  });

  it("read-only (dry run): creates and writes nothing", () => {
    const p = path();
    const journal = new Journal(p, { ...options, readOnly: true });
    journal.record(0, ["a"], []);
    journal.close();
    expect(() => readFileSync(p)).toThrow();
  });
});
