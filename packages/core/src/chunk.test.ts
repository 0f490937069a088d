import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { expected, idList, type SourceKind, source } from "../test/helpers.js";
import { assertIdSource, chunks } from "./chunk.js";
import { BatchValidationError } from "./errors.js";
import { MAX_IDS_PER_CALL } from "./ids.js";

async function collect(ids: Iterable<string> | AsyncIterable<string>, size: number) {
  const out: string[][] = [];
  const source = chunks(ids, size);
  for (let chunk = await source.next(); chunk; chunk = await source.next()) out.push(chunk);
  expect(source.complete).toBe(true);
  expect(source.rest()).toEqual([]);
  return out;
}

const kinds: SourceKind[] = ["array", "set", "sync", "async"];

describe("chunks", () => {
  it.each(kinds)("splits a %s in order", async (kind) => {
    const ids = ["a", "b", "c", "d", "e", "a"];
    const want =
      kind === "set"
        ? [["a", "b"], ["c", "d"], ["e"]]
        : [
            ["a", "b"],
            ["c", "d"],
            ["e", "a"],
          ];
    expect(await collect(source(ids, kind), 2)).toEqual(want);
  });

  it("yields nothing for an empty source, and one chunk for an exact fit", async () => {
    expect(await collect([], 3)).toEqual([]);
    expect(await collect(["a", "b", "c"], 3)).toEqual([["a", "b", "c"]]);
  });

  it("pulls from the source only as chunks are consumed", async () => {
    let pulled = 0;
    const counting = (function* () {
      for (let i = 0; i < 100; i++) {
        pulled++;
        yield `u${i}`;
      }
    })();
    const it = chunks(counting, 10);
    expect(pulled).toBe(0);
    await it.next();
    expect(pulled).toBe(10);
    await it.next();
    expect(pulled).toBe(20);
    it.close();
    expect(await it.next()).toBeUndefined();
    expect(pulled).toBe(20);
    expect(it.complete).toBe(false);
  });

  it("queues concurrent pulls: each chunk goes to one caller, in order", async () => {
    const source = chunks(
      (async function* () {
        for (let i = 0; i < 25; i++) yield `u${i}`;
      })(),
      10,
    );
    const got = await Promise.all([source.next(), source.next(), source.next(), source.next()]);
    expect(got.map((c) => c?.length)).toEqual([10, 10, 5, undefined]);
    expect(got.flatMap((c) => c ?? [])).toEqual(Array.from({ length: 25 }, (_, i) => `u${i}`));
  });

  it("rest: the ids read into no chunk when the source fails mid-chunk, batch tails included", async () => {
    const boom = new Error("read error");
    const source = chunks(
      (async function* () {
        yield ["a", "b", "c"];
        yield "d";
        yield ["e", "f", "g", "h", "i"];
        throw boom;
      })(),
      4,
    );
    expect(await source.next()).toEqual(["a", "b", "c", "d"]);
    expect(await source.next()).toEqual(["e", "f", "g", "h"]);
    await expect(source.next()).rejects.toBe(boom);
    expect(await source.next()).toBeUndefined(); // nothing more is handed out after a failure
    expect(source.rest()).toEqual(["i"]);
    expect(source.rest()).toEqual([]);
    expect(source.complete).toBe(false);
  });

  it("rest: an array's ids not read yet", async () => {
    const source = chunks(["a", "b", "c", "d", "e"], 2);
    expect(await source.next()).toEqual(["a", "b"]);
    source.close();
    expect(await source.next()).toBeUndefined();
    expect(source.rest()).toEqual(["c", "d", "e"]);
    expect(source.complete).toBe(true);
  });

  it("close ends a read the source stalls on at once; what it hands over later joins rest", async () => {
    let release: (value: string) => void = () => {};
    let closed = false;
    const source = chunks(
      (async function* () {
        try {
          yield "a";
          yield await new Promise<string>((resolve) => {
            release = resolve;
          });
          yield "never read";
        } finally {
          closed = true;
        }
      })(),
      10,
    );
    const pending = source.next();
    await new Promise((resolve) => setTimeout(resolve, 5));
    source.close();
    expect(await pending).toBeUndefined();
    release("b"); // read before the run ended: still accounted for
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(source.rest()).toEqual(["a", "b"]);
    expect(closed).toBe(true); // the generator was returned once its read settled
  });

  it("property: order and count preserved, every chunk full but the last, none lost or duplicated", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 1, max: MAX_IDS_PER_CALL }),
        fc.integer(),
        fc.constantFrom(...kinds),
        async (n, size, seed, kind) => {
          const ids = idList(n, seed);
          const want = expected(ids, kind);
          const out = await collect(source(ids, kind), size);
          expect(out.length).toBe(Math.ceil(want.length / size));
          const misfits = out.filter(
            (chunk, i) =>
              chunk.length === 0 ||
              chunk.length > size ||
              chunk.length > MAX_IDS_PER_CALL ||
              (i < out.length - 1 && chunk.length !== size),
          );
          expect(misfits).toEqual([]);
          // Joined (ids hold no newline): a cheap exact comparison of 100,000 ids.
          expect(out.flat().join("\n")).toBe(want.join("\n"));
        },
      ),
      { numRuns: 40 },
    );
  }, 60_000);

  it("property: small sizes over many ids (the expensive corner) still keep everything", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 1, max: 5 }),
        async (n, size) => {
          const ids = idList(n, n);
          const out = await collect(ids, size);
          expect(out.every((c) => c.length <= size)).toBe(true);
          expect(out.flat().join("\n")).toBe(ids.join("\n"));
        },
      ),
      { numRuns: 5 },
    );
  }, 60_000);
});

describe("assertIdSource", () => {
  it.each([
    ["a string", "user-1", /not a string: for one id, pass \[id\] or call deleteUser/],
    ["a number", 5, /not number/],
    ["null", null, /not object/],
    ["undefined", undefined, /not undefined/],
    ["a plain object", { a: 1 }, /not object/],
  ])("rejects %s", (_, value, message) => {
    expect(() => assertIdSource(value)).toThrow(BatchValidationError);
    expect(() => assertIdSource(value)).toThrow(message);
  });

  it("checks an array whole, naming the position of the bad id", () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => `u${i}`);
    ids[15_000] = "";
    expect(() => assertIdSource(ids)).toThrow(/position 15000 is empty/);
  });

  it("checks the holes of a sparse array too", () => {
    const ids = ["a", "b", "c"];
    delete ids[1];
    expect(() => assertIdSource(ids)).toThrow(/position 1 is undefined/);
    expect(() => assertIdSource(new Array(3))).toThrow(/position 0 is undefined/);
  });

  it("accepts arrays, Sets, generators and async iterables", () => {
    for (const kind of kinds) expect(() => assertIdSource(source(["a"], kind))).not.toThrow();
  });
});

describe("chunks of batches", () => {
  it("regroups batches of any size into chunks, in order", async () => {
    const batches = [["a", "b", "c"], [], ["d"], ["e", "f", "g", "h", "i"]];
    const async = (async function* () {
      yield* batches;
    })();
    expect(await collect(async as never, 4)).toEqual([
      ["a", "b", "c", "d"],
      ["e", "f", "g", "h"],
      ["i"],
    ]);
    // Ids and batches mixed, from a sync generator too.
    const mixed = (function* () {
      yield "a";
      yield ["b", "c"];
      yield "d";
    })();
    expect(await collect(mixed as never, 3)).toEqual([["a", "b", "c"], ["d"]]);
  });

  it("awaits once per batch, not per id", async () => {
    let pulls = 0;
    const source = {
      [Symbol.asyncIterator]() {
        let n = 0;
        return {
          async next() {
            pulls++;
            if (n === 3) return { done: true as const, value: undefined };
            n++;
            return {
              done: false as const,
              value: Array.from({ length: 1000 }, (_, i) => `${n}-${i}`),
            };
          },
        };
      },
    };
    const out = await collect(source as never, 10_000);
    expect(out).toHaveLength(1);
    expect(out[0]).toHaveLength(3000);
    expect(pulls).toBe(4);
  });

  it("slices an array without copying it id by id, and closes a source left early", async () => {
    const ids = Array.from({ length: 25 }, (_, i) => `u${i}`);
    const out = await collect(ids, 10);
    expect(out.map((c) => c.length)).toEqual([10, 10, 5]);
    let closed = false;
    const source = (async function* () {
      try {
        yield ["a", "b"];
        yield ["c"];
      } finally {
        closed = true;
      }
    })();
    const it = chunks(source as never, 2);
    await it.next();
    it.close();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(closed).toBe(true);
  });

  it("passes a non-string item on for validation to name", async () => {
    const source = (async function* () {
      yield ["a", 42 as never];
    })();
    expect(await collect(source as never, 5)).toEqual([["a", 42]]);
  });
});
