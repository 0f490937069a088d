// The portable layer: `@batch-custom-data/core/env` (client options from any environment
// record) and `@batch-custom-data/core/ids` (streaming id readers), from the runtime's own
// streams (ReadableStream, Blob, Response bodies), in every runtime. `ctx.env` and `ctx.ids`
// are those subpaths, loaded by each driver as a user would.

import { API_KEY, pieces, REST_KEY } from "@batch-custom-data/test-helpers";
import { deepEqual, equal, has, isError, ok, rejects, throws } from "./assert.js";
import { ALLOW, assertNoKeys, printed, withEmulator } from "./helpers.js";

const encoder = new TextEncoder();

async function collect(ctx, input, options) {
  const ids = [];
  for await (const batch of ctx.ids.readIds(input, options)) {
    ok(Array.isArray(batch), "readIds hands on arrays");
    ids.push(...batch);
  }
  return ids;
}

export const portableCases = [
  {
    name: "env: client options from a plain record, labelled apps and tuning variables",
    fn: (ctx) => {
      const options = ctx.env.clientOptionsFromEnv({
        BATCH_API_KEY: `ios=${API_KEY},android=other-key`,
        BATCH_REST_API_KEY: REST_KEY,
        BATCH_BASE_URL: "http://127.0.0.1:9/1.0",
        BATCH_CONCURRENCY: "8",
        BATCH_RETRIES: "2",
        // A Worker's env also holds bindings that are objects: they are not ours to read.
        JOBS: { send() {} },
      });
      deepEqual(
        options,
        {
          apiKey: { ios: API_KEY, android: "other-key" },
          restApiKey: REST_KEY,
          baseUrl: "http://127.0.0.1:9/1.0",
          retry: { retries: 2 },
          concurrency: 8,
        },
        "options",
      );
    },
  },
  {
    name: "env: a missing or bad variable is named, in the core's own error class, no key shown",
    fn: (ctx) => {
      const missing = throws(() => ctx.env.clientOptionsFromEnv({ BATCH_API_KEY: API_KEY }));
      isError(missing, ctx.core.BatchValidationError, { variable: "BATCH_REST_API_KEY" });
      ok(missing.message.startsWith("BATCH_REST_API_KEY is not set"), missing.message);
      const bad = throws(() =>
        ctx.env.createClientFromEnv(
          { BATCH_API_KEY: API_KEY, BATCH_REST_API_KEY: REST_KEY, BATCH_BASE_URL: "ftp://nope" },
          ALLOW,
        ),
      );
      isError(bad, ctx.core.BatchValidationError, {
        variable: "BATCH_BASE_URL",
        option: "baseUrl",
      });
      assertNoKeys([...printed(missing), ...printed(bad)], "env errors");
    },
  },
  {
    name: "env: createClientFromEnv deletes through the emulator",
    fn: (ctx) =>
      withEmulator(ctx, {}, async (emulator) => {
        emulator.seed(API_KEY, ["u1"]);
        // The suite's key holds "=", so it is labelled: `label=KEY` is never misread.
        const client = ctx.env.createClientFromEnv(
          { BATCH_API_KEY: `main=${API_KEY}`, BATCH_REST_API_KEY: REST_KEY },
          { fetch: emulator.fetch, ...ALLOW },
        );
        const { tokens } = await client.deleteUser("u1");
        equal(tokens[0].app, "main", "app label");
        has(emulator.transaction(tokens[0].token), { kind: "single", ids: 1 });
      }),
  },
  {
    name: "ids lines: a byte stream cut anywhere: CRLF, UTF-8, a BOM, blank lines, no trimming",
    fn: async (ctx) => {
      const text = "\uFEFFélodie\r\n用户-1\r\n\r\n 😀 \nlast";
      for (const size of [1, 2, 3, 7]) {
        deepEqual(await collect(ctx, pieces(text, size)), ["élodie", "用户-1", " 😀 ", "last"]);
      }
    },
  },
  {
    name: "ids csv: a column by header name, quotes, embedded newlines and delimiters",
    fn: async (ctx) => {
      const text = 'name;id\r\n"Doe; Jane";"u-1"\r\n"multi\nline";u-2\r\nBob;"say ""hi"""\r\n';
      const options = { format: "csv", column: "id", delimiter: ";" };
      for (const size of [1, 5, 1000]) {
        deepEqual(await collect(ctx, pieces(text, size), options), ["u-1", "u-2", 'say "hi"']);
      }
    },
  },
  {
    name: "ids ndjson and json: a field or bare strings; a JSON array as it streams",
    fn: async (ctx) => {
      const nd = '{"user":"a"}\n"b"\r\n\n{"user":"c\\u00e9"}';
      deepEqual(await collect(ctx, pieces(nd, 3), { format: "ndjson", field: "user" }), [
        "a",
        "b",
        "cé",
      ]);
      const json = '[ "a", "b\\"q", "\\ud83d\\ude00" ]';
      deepEqual(await collect(ctx, pieces(json, 2), { format: "json" }), ["a", 'b"q', "😀"]);
    },
  },
  {
    name: "ids: a Blob's stream, a Response body and an async iterable of strings",
    fn: async (ctx) => {
      deepEqual(await collect(ctx, new Blob(["a\nb\n"]).stream()), ["a", "b"]);
      deepEqual(await collect(ctx, new Response("c\r\nd").body), ["c", "d"]);
      const strings = (async function* () {
        yield "e\nf";
        yield "g\n";
      })();
      deepEqual(await collect(ctx, strings), ["e", "fg"]);
    },
  },
  {
    name: "ids: a bad row is an IdReadError naming its line, never quoting it",
    fn: async (ctx) => {
      const bad = new Uint8Array([...encoder.encode("ok\nfine\n"), 0x63, 0xe9, 0x0a]);
      const utf8 = await rejects(collect(ctx, pieces(bad, 4), { name: "ids.txt" }));
      isError(utf8, ctx.ids.IdReadError, { line: 3, source: "ids.txt" });
      ok(utf8 instanceof ctx.core.BatchValidationError, "an IdReadError is a BatchValidationError");
      const row = await rejects(
        collect(ctx, pieces('{"id":"a"}\n{"id":"secret-id"\n', 5), { format: "ndjson" }),
      );
      isError(row, ctx.ids.IdReadError, { line: 2 });
      ok(!row.message.includes("secret-id"), `the message quotes the row: ${row.message}`);
      const counted = await ctx.ids.countIds(pieces(`a\n${"x".repeat(2000)}\n`, 100));
      equal(counted.count, 1, "ids counted");
      has(counted.firstProblem, { line: 2 }, "first problem");
      ok(
        /^input line 2: the id is .*longer/.test(counted.firstProblem.message),
        counted.firstProblem.message,
      );
    },
  },
  {
    name: "deleteUsers(readIds(stream)): 25,001 ids in 3 calls, every one deleted",
    fn: (ctx) =>
      withEmulator(ctx, {}, async (emulator) => {
        const all = Array.from({ length: 25_001 }, (_, i) => `user-${i}`);
        emulator.seed(API_KEY, all);
        const client = ctx.core.createClient({
          apiKey: API_KEY,
          restApiKey: REST_KEY,
          fetch: emulator.fetch,
          ...ALLOW,
        });
        const report = await client.deleteUsers(ctx.ids.readIds(pieces(all.join("\n"), 16_384)));
        has(report, { requested: 25_001, confirmed: 25_001, calls: 3, complete: true }, "report");
        emulator.flush();
        equal(emulator.count(API_KEY), 0, "users left with data");
      }),
  },
  {
    name: "deleteUsers(readIds(stream)): the ids before a bad row are deleted, the error names it",
    fn: (ctx) =>
      withEmulator(ctx, {}, async (emulator) => {
        const client = ctx.core.createClient({
          apiKey: API_KEY,
          restApiKey: REST_KEY,
          fetch: emulator.fetch,
          ...ALLOW,
        });
        const text = `${Array.from({ length: 30 }, (_, i) => `u${i}`).join("\n")}\n\n${"z".repeat(1024)}\n`;
        const error = await rejects(
          client.deleteUsers(ctx.ids.readIds(pieces(text, 64)), { chunkSize: 10 }),
        );
        isError(error, ctx.ids.IdReadError, { line: 32 });
        has(error.report, { requested: 30, confirmed: 30, complete: false }, "report");
      }),
  },
];
