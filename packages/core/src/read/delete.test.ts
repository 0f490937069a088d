// The readers feeding deleteUsers: what `client.deleteUsers(readIds(stream))` does end to end.
import { describe, expect, it } from "vitest";
import { caught, client, idsOf, okFetch } from "../../test/helpers.js";
import type { BatchDeleteError } from "../errors.js";
import { IdReadError, readIds } from "./index.js";
import { pieces, stream } from "./test-utils.js";

describe("deleteUsers(readIds(stream))", () => {
  it("sends every id of a streamed file, in calls of chunkSize, in order", async () => {
    const ids = Array.from({ length: 25_001 }, (_, i) => `user-${i}`);
    const fetch = okFetch();
    const report = await client({ fetch }).deleteUsers(readIds(pieces(ids.join("\r\n"), 4096)));
    expect(report).toMatchObject({
      requested: 25_001,
      confirmed: 25_001,
      calls: 3,
      complete: true,
    });
    expect(fetch.calls.flatMap(idsOf)).toEqual(ids);
    expect(fetch.calls.map((c) => idsOf(c).length)).toEqual([10_000, 10_000, 5_001]);
  });

  it("a bad row stops the run with an error naming its line, and the report", async () => {
    const rows = Array.from({ length: 30 }, (_, i) => `{"id":"u${i}"}`);
    const text = `${rows.join("\n")}\n{"id":1}\n`;
    const fetch = okFetch();
    const error = await caught<IdReadError & BatchDeleteError>(() =>
      client({ fetch }).deleteUsers(readIds(stream(text), { format: "ndjson" }), { chunkSize: 10 }),
    );
    expect(error).toBeInstanceOf(IdReadError);
    expect(error.line).toBe(31);
    // The 30 ids before the bad row, in the same chunk of input, still reach the API.
    expect(error.report).toMatchObject({ requested: 30, confirmed: 30, complete: false });
    expect(fetch.calls.flatMap(idsOf)).toEqual(Array.from({ length: 30 }, (_, i) => `u${i}`));
  });
});
