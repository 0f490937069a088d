import { assert, assertEquals, assertMatch, assertRejects } from "../test/assert.ts";
import { BatchValidationError, countIds, IdReadError, readIds } from "./mod.ts";

const fixture = (name: string) => `test/fixtures/${name}`;

async function all(batches: AsyncIterable<string[]>): Promise<string[]> {
  const ids: string[] = [];
  for await (const batch of batches) ids.push(...batch);
  return ids;
}

Deno.test("readIds reads a file of lines through Deno.open: CRLF, blank lines, nothing trimmed", async () => {
  assertEquals(await all(readIds(fixture("ids.txt"))), ["user-1", "user 2 ", "üser-3", "user-4"]);
});

Deno.test("readIds takes a file: URL, and the core's formats and options", async () => {
  const url = new URL(`../${fixture("ids.csv")}`, import.meta.url);
  assertEquals(await all(readIds(url, { format: "csv", column: "user_id" })), ["user-1", "user,2"]);
  assertEquals(await all(readIds(fixture("ids.json"), { format: "json" })), ["user-1", "user-2"]);
});

Deno.test("readIds passes a byte source (a web stream) straight to the core", async () => {
  const stream = new Blob(["a\nb\n"]).stream();
  assertEquals(await all(readIds(stream)), ["a", "b"]);
});

Deno.test("a bad row is an IdReadError naming the file and the line, not the row", async () => {
  const error = await assertRejects(
    () => all(readIds(fixture("bad.ndjson"), { format: "ndjson" })),
    IdReadError,
  );
  assertEquals([error.source, error.line], [fixture("bad.ndjson"), 2]);
  assertMatch(error.message, /test\/fixtures\/bad\.ndjson/);
  assert(!error.message.includes("no id here"), "the row's content is not quoted");
});

Deno.test("countIds counts and checks a file without keeping it", async () => {
  assertEquals((await countIds(fixture("ids.txt"))).count, 4);
  const bad = await countIds(fixture("bad.ndjson"), { format: "ndjson" });
  assertEquals(bad.firstProblem?.line, 2);
});

Deno.test("a missing file or a directory is a clear error", async () => {
  const missing = await assertRejects(
    () => all(readIds(fixture("nope.txt"))),
    BatchValidationError,
  );
  assertEquals(missing.message, "test/fixtures/nope.txt: no such file.");
  const dir = await assertRejects(() => countIds("test/fixtures"), BatchValidationError);
  assertEquals(dir.message, "test/fixtures is a directory, not a file of ids.");
});

Deno.test("no read permission for the file: an error naming --allow-read=<file>", async () => {
  // The tests may read test/fixtures only.
  const error = await assertRejects(() => all(readIds("deno.json")), BatchValidationError);
  assertEquals(error.message, "Deno may not read deno.json: run with --allow-read=deno.json.");
  const spaced = await assertRejects(() => countIds("my ids.txt"), BatchValidationError);
  assertMatch(spaced.message, /run with --allow-read='my ids\.txt'\.$/);
});

Deno.test({
  name: "without any read permission, even a fixture is refused (no prompt)",
  permissions: { read: false },
  async fn() {
    const error = await assertRejects(() => countIds(fixture("ids.txt")), BatchValidationError);
    assertMatch(error.message, /--allow-read=test\/fixtures\/ids\.txt\.$/);
  },
});
