// The readers feeding deleteUsers: what `client.deleteUsers(readIds(stream))` does end to end.
import { describe, expect, it } from "vitest";
import { caught, client, idsOf, okFetch } from "../../test/helpers.js";
import { type BatchDeleteError, BatchSourceError } from "../errors.js";
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

describe("deleteUsers(readIds(stream)) when reading fails mid-chunk", () => {
  const ids = Array.from({ length: 25_001 }, (_, i) => `u${i}`);
  const encoder = new TextEncoder();
  /** The good lines, in pieces, then the stream errors (a dropped upload, a disk error). */
  const erroring = (error: unknown) => {
    const bytes = encoder.encode(`${ids.join("\n")}\n`);
    let at = 0;
    return new ReadableStream<Uint8Array>({
      pull(controller) {
        if (at >= bytes.length) return controller.error(error);
        controller.enqueue(bytes.slice(at, at + 4096));
        at += 4096;
      },
    });
  };

  it("a read error: every id read is confirmed or listed, the error is the cause", async () => {
    const boom = new TypeError("network connection lost");
    const fetch = okFetch();
    const error = await caught<BatchSourceError>(() =>
      client({ fetch }).deleteUsers(readIds(erroring(boom))),
    );
    expect(error).toBeInstanceOf(BatchSourceError);
    expect(error.cause).toBe(boom);
    const report = error.report!;
    expect(report).toMatchObject({ requested: 25_001, confirmed: 20_000, failed: 5_001 });
    expect([...fetch.calls.flatMap(idsOf), ...report.failedIds]).toEqual(ids);
  });

  it("a bad row after 25,001 good ids: the 5,001 of the last chunk are listed too", async () => {
    const fetch = okFetch();
    const error = await caught<IdReadError>(() =>
      client({ fetch }).deleteUsers(readIds(stream(`${ids.join("\n")}\n${"x".repeat(1024)}\n`))),
    );
    expect(error).toBeInstanceOf(IdReadError);
    expect(error).toMatchObject({ source: "input", line: 25_002 });
    expect(error.message).toBe(`input line 25002: ${error.problem}`);
    expect([...fetch.calls.flatMap(idsOf), ...error.report!.failedIds]).toEqual(ids);
    expect(error.report!.stoppedBy?.reason).toBe("source");
  });
});
