// Single and bulk deletes through the emulator handler injected as `fetch`: no network.

import { API_KEY } from "@batch-custom-data/test-helpers";
import { deepEqual, equal, has } from "./assert.js";
import { client, withEmulator } from "./helpers.js";

export const deleteCases = [
  {
    name: "deleteUser sends the single-delete call and returns its token",
    fn: (ctx) =>
      withEmulator(ctx, {}, async (emulator) => {
        emulator.seed(API_KEY, ["user-1", "user-2"]);
        const { token, tokens } = await client(ctx, { fetch: emulator.fetch }).deleteUser("user-1");
        deepEqual(tokens, [{ app: "0", token }], "tokens");
        has(emulator.transaction(token), { kind: "single", ids: 1 });
        emulator.flush();
        equal(emulator.hasData(API_KEY, "user-1"), false, "user-1 has data");
        equal(emulator.hasData(API_KEY, "user-2"), true, "user-2 has data");
      }),
  },
  {
    name: "deleteUser sends reserved and non-ASCII characters as one path segment",
    fn: (ctx) =>
      withEmulator(ctx, {}, async (emulator) => {
        const ids = ["a/b?c#d%e", "é ü 😀", "x%2Fy", " padded "];
        emulator.seed(API_KEY, ids);
        const c = client(ctx, { fetch: emulator.fetch });
        for (const id of ids) {
          const { token } = await c.deleteUser(id);
          has(emulator.transaction(token), { kind: "single", ids: 1 }, id);
        }
        emulator.flush();
        for (const id of ids) equal(emulator.hasData(API_KEY, id), false, `${id} has data`);
      }),
  },
  {
    name: "deleteUser sends '.' and '..' through the bulk route (no URL can carry them)",
    fn: (ctx) =>
      withEmulator(ctx, {}, async (emulator) => {
        emulator.seed(API_KEY, [".", ".."]);
        const c = client(ctx, { fetch: emulator.fetch });
        for (const id of [".", ".."]) {
          const { token } = await c.deleteUser(id);
          has(emulator.transaction(token), { kind: "bulk", ids: 1 }, id);
        }
        emulator.flush();
        equal(emulator.count(API_KEY), 0, "users left");
      }),
  },
  {
    name: "deleteUsers deletes a list in one bulk call and accounts for every id",
    fn: (ctx) =>
      withEmulator(ctx, {}, async (emulator) => {
        const ids = ["user-1", "user-2", "user-3"];
        emulator.seed(API_KEY, ids);
        const report = await client(ctx, { fetch: emulator.fetch }).deleteUsers(ids);
        has(report, { requested: 3, confirmed: 3, failed: 0, calls: 1, complete: true });
        deepEqual(report.failedIds, [], "failedIds");
        has(emulator.transaction(report.tokens[0].token), { kind: "bulk", ids: 3 });
        emulator.flush();
        equal(emulator.count(API_KEY), 0, "users left");
      }),
  },
  {
    name: "deleteUsers splits 25,001 ids into 3 calls (10,000 + 10,000 + 5,001)",
    fn: (ctx) =>
      withEmulator(ctx, {}, async (emulator) => {
        const sizes = [];
        const counting = (url, init) => {
          sizes.push(JSON.parse(init.body).length);
          return emulator.fetch(url, init);
        };
        const ids = Array.from({ length: 25_001 }, (_, i) => `user-${i}`);
        const report = await client(ctx, { fetch: counting }).deleteUsers(ids);
        deepEqual(
          sizes.sort((a, b) => a - b),
          [5_001, 10_000, 10_000],
          "ids per call",
        );
        has(report, { requested: 25_001, confirmed: 25_001, calls: 3 });
        equal(new Set(report.tokens.map((t) => t.token)).size, 3, "distinct tokens");
        equal(emulator.stats().idsAccepted, 25_001, "ids the emulator accepted");
      }),
  },
  {
    name: "deleteUsers streams an async iterable in chunks",
    fn: (ctx) =>
      withEmulator(ctx, {}, async (emulator) => {
        async function* ids() {
          for (let i = 0; i < 12; i++) yield `user-${i}`;
        }
        const c = client(ctx, { fetch: emulator.fetch, chunkSize: 5 });
        const report = await c.deleteUsers(ids());
        has(report, { requested: 12, confirmed: 12, calls: 3, complete: true });
      }),
  },
];
