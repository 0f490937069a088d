import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BatchAbortError, BatchHookError } from "@batch-custom-data/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APP, batches, emulated, input, range } from "../../test/delete-unit.js";
import { Journal } from "../journal.js";
import { createInterruption } from "../signals.js";
import { JournalWriteError, journalHooks, runDeletion } from "./run.js";

let dir: string;
let n = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "bcd-run-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const journalAt = (target?: string, chunkSize = 2) =>
  new Journal(join(dir, `j${n++}.journal`), { defaultChunkSize: chunkSize, apps: 1, target });

/** A journal holding `entries` from an earlier run, reopened as a resume opens it. */
function earlier(target: string | undefined, entries: [number, string[]][]): Journal {
  const first = journalAt(target);
  for (const [index, ids] of entries) first.record(index, ids, [{ app: "0", token: `t${index}` }]);
  first.close();
  return new Journal(first.path, { defaultChunkSize: 2, apps: 1, target });
}

describe("runDeletion", () => {
  it("the core's report, as it is", async () => {
    const { emulator, settings } = emulated();
    emulator.seed(APP, range(5));
    const stop = createInterruption();
    const progress: number[] = [];
    const result = await runDeletion({
      client: settings.client,
      input: input(batches(range(3), ["u4", "u5"])),
      chunkSize: 2,
      stop,
      onProgress: (p) => progress.push(p.confirmed),
    });
    expect(result.error).toBeUndefined();
    expect(result.journal).toBeUndefined();
    expect(result.report).toMatchObject({
      requested: 5,
      confirmed: 5,
      failed: 0,
      calls: 3,
      complete: true,
      failedIds: [],
    });
    expect(progress.at(-1)).toBe(5);
    await emulator.settled();
    expect(emulator.count(APP)).toBe(0);
  });

  it("with a journal: skips what an earlier run confirmed, records what this one does", async () => {
    const { emulator, settings } = emulated();
    // Chunk 1's ids have changed since: it is sent again.
    const journal = earlier(settings.target, [
      [0, ["u1", "u2"]],
      [1, ["x3", "x4"]],
    ]);
    const result = await runDeletion({
      client: settings.client,
      input: input(range(5)),
      chunkSize: 2,
      journal,
      stop: createInterruption(),
    });
    expect(result.report).toMatchObject({ requested: 5, confirmed: 3, skipped: 2, calls: 2 });
    expect(result.journal).toEqual({
      path: journal.path,
      skippedChunks: 1,
      written: 2,
      mismatched: 1,
    });
    expect(emulator.stats().requests).toBe(2);
    journal.close();
  });

  it("a journal that cannot be written stops the run, with the report and the reason", async () => {
    const { emulator, settings } = emulated();
    const journal = journalAt(settings.target, 1);
    journal.close(); // writing now fails: as a full disk would
    const broken = Object.assign(Object.create(journal) as Journal, {
      record() {
        throw Object.assign(new Error("ENOSPC: no space left on device, write"), {
          code: "ENOSPC",
        });
      },
    });
    const result = await runDeletion({
      client: settings.client,
      input: input(batches(...range(10).map((id) => [id]))),
      chunkSize: 1,
      journal: broken,
      stop: createInterruption(),
    });
    // The core stops the run and wraps what our hook threw, as its cause.
    expect(result.error).toBeInstanceOf(BatchHookError);
    const cause = (result.error as BatchHookError).cause;
    expect(cause).toBeInstanceOf(JournalWriteError);
    expect((cause as Error).message).toMatch(
      /^Cannot write the journal .* \(ENOSPC: no space left on device, write\): stopped, so that a resume does not send confirmed chunks again\.$/,
    );
    const { report } = result;
    expect(report.stoppedBy?.reason).toBe("hook");
    expect(report.complete).toBe(false);
    expect(report.requested).toBeLessThan(10);
    expect(report.confirmed + report.failed).toBe(report.requested);
    expect(emulator.stats().requests).toBeLessThan(10);
  });

  it("a stop: no new call, no new retry; calls in flight finish; the rest reported STOPPED", async () => {
    const { emulator, settings } = emulated({ faults: { latencyMs: 150 } }, { retries: 5 });
    const stop = createInterruption();
    const pending = runDeletion({
      client: settings.client,
      input: input(batches(range(5), range(5, "v"))),
      chunkSize: 1,
      stop,
    });
    while (emulator.stats().requests < 1) await new Promise((r) => setTimeout(r, 5));
    stop.stop("SIGINT");
    const atStop = emulator.stats().requests;
    const { report, error } = await pending;
    expect(error).toBeUndefined();
    expect(emulator.stats().requests).toBe(atStop);
    expect(report.stoppedBy).toEqual({ reason: "stop" });
    expect(report.confirmed).toBe(atStop); // one id per call, every call in flight finished
    expect(report.confirmed + report.failed).toBe(report.requested);
    expect(report.failures.every((f) => f.error.name === "STOPPED" && !f.attempted)).toBe(true);
    stop.dispose();
  });

  it("an abort (the grace ran out): calls in flight aborted, still one report", async () => {
    const { emulator, settings } = emulated({ faults: { hang: 1 } });
    const stop = createInterruption({ graceMs: 50 });
    const pending = runDeletion({
      client: settings.client,
      input: input(["a", "b", "c"]),
      chunkSize: 1,
      stop,
    });
    while (emulator.stats().requests < 1) await new Promise((r) => setTimeout(r, 5));
    stop.stop("SIGTERM");
    const { report, error } = await pending;
    expect(error).toBeInstanceOf(BatchAbortError);
    expect(stop.aborted).toBe("grace");
    expect(report.stoppedBy?.reason).toBe("abort");
    expect(report.failedIds).toEqual(["a", "b", "c"]);
    stop.dispose();
  });

  it("a rejection without a report is not ours to hide", async () => {
    const { settings } = emulated();
    const client = {
      ...settings.client,
      deleteUsers: () => Promise.reject(new TypeError("bug")),
    };
    await expect(
      runDeletion({ client, input: input(["a"]), chunkSize: 1, stop: createInterruption() }),
    ).rejects.toThrow("bug");
  });
});

describe("journalHooks", () => {
  it("records only chunks every app confirmed", () => {
    const target = "0".repeat(32);
    const first = journalAt(target);
    const writing = journalHooks(first);
    writing.onChunk({ index: 0, ids: ["a"], ok: false, tokens: [] });
    writing.onChunk({ index: 1, ids: ["b"], ok: true, tokens: [{ app: "0", token: "t" }] });
    expect(writing.summary()).toMatchObject({ written: 1, skippedChunks: 0, mismatched: 0 });
    first.close();
    const journal = new Journal(first.path, { defaultChunkSize: 2, apps: 1, target });
    const hooks = journalHooks(journal);
    expect(hooks.skipChunk(0, ["a"])).toBe(false);
    expect(hooks.skipChunk(1, ["b"])).toBe(true);
    expect(hooks.skipChunk(1, ["c"])).toBe(false);
    expect(hooks.summary()).toMatchObject({ skippedChunks: 1, mismatched: 1 });
    journal.close();
  });
});
