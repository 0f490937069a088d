// Only what the Node adapter adds to the core's readers (tested in the core and in every
// runtime): paths, file: URLs and Node streams, opened lazily and closed early.
import { createReadStream, writeFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable, Transform } from "node:stream";
import { pathToFileURL } from "node:url";
import { createEmulator } from "@batch-custom-data/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  countIds,
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
  for await (const batch of readIds(input, options)) out.push(...batch);
  return out;
}

describe("readIds on Node inputs", () => {
  it("reads a path, a file: URL, a Node stream and string chunks", async () => {
    const file = join(dir, "ids.txt");
    await writeFile(file, "x\r\ny\n");
    expect(await collect(file)).toEqual(["x", "y"]);
    expect(await collect(pathToFileURL(file))).toEqual(["x", "y"]);
    expect(await collect(Readable.from([Buffer.from("p\nq"), Buffer.from("r\n")]))).toEqual([
      "p",
      "qr",
    ]);
    expect(await countIds(file)).toEqual({ count: 2 });
  });

  it("names the file in errors, and opens it only when first read", async () => {
    const file = join(dir, "bad.csv");
    await writeFile(file, 'id\na\n"b\n');
    const error = await collect(file, { format: "csv", column: "id" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdReadError);
    expect((error as IdReadError).message).toMatch(new RegExp(`^${file} line 3: not valid CSV`));
    const missing = readIds(join(dir, "nope.txt")); // no throw yet: nothing is opened
    await expect(missing.next()).rejects.toMatchObject({ code: "ENOENT" });
    expect((await countIds(file, { format: "csv", column: "id" })).firstProblem?.line).toBe(3);
  });

  it("destroys a Node stream when the reader stops early", async () => {
    const source = new PassThrough();
    source.write("a\nb\nc\n");
    for await (const batch of readIds(source)) {
      expect(batch).toEqual(["a", "b", "c"]);
      break;
    }
    expect(source.destroyed).toBe(true);
  });

  it("reads a 1,000,000-line file at most a few chunks ahead of the consumer", async () => {
    const N = 1_000_000;
    const file = join(dir, "million.txt");
    writeFileSync(file, `${Array.from({ length: N }, (_, i) => `user-${i}`).join("\n")}\n`);
    let pulled = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        pulled += chunk.length;
        done(null, chunk);
      },
    });
    let consumed = 0;
    let count = 0;
    let maxGap = 0;
    for await (const batch of readIds(createReadStream(file).pipe(counter))) {
      for (const id of batch) consumed += id.length + 1;
      count += batch.length;
      maxGap = Math.max(maxGap, pulled - consumed);
    }
    expect(count).toBe(N);
    expect(pulled).toBeGreaterThan(10_000_000);
    expect(maxGap).toBeLessThan(512 * 1024);
  });
});

describe("readIds with the client", () => {
  it("streams a file into deleteUsers: every user's data gone", async () => {
    const emulator = createEmulator({ apps: ["APP"], restApiKey: "REST", processingDelayMs: 0 });
    emulator.seed("APP", 25_000);
    const file = join(dir, "seeded.txt");
    await writeFile(file, Array.from({ length: 25_000 }, (_, i) => `user-${i + 1}`).join("\r\n"));
    const client = createClient({ apiKey: "APP", restApiKey: "REST", fetch: emulator.fetch });
    const report = await client.deleteUsers(readIds(file));
    expect(report).toMatchObject({ requested: 25_000, confirmed: 25_000, calls: 3 });
    await emulator.settled();
    expect(emulator.count("APP")).toBe(0);
    emulator.close();
  });
});
