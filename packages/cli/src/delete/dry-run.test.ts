import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APP, APP2, batches, emulated, input, range } from "../../test/delete-unit.js";
import { Journal } from "../journal.js";
import { createInterruption } from "../signals.js";
import { dryRun } from "./dry-run.js";
import { configure } from "./settings.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "bcd-dry-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("dryRun", () => {
  it("counts ids, chunks and calls through the core, and sends nothing", async () => {
    const { emulator, settings } = emulated({}, { dryRun: true }, [APP, APP2]);
    const stop = createInterruption();
    const plan = await dryRun(
      input(batches(range(7), range(18, "v"))),
      settings,
      10,
      undefined,
      stop,
    );
    expect(plan).toEqual({
      ok: true,
      exitCode: 0,
      dryRun: true,
      interrupted: false,
      ids: 25,
      chunkSize: 10,
      chunks: 3,
      apps: 2,
      calls: 6,
    });
    expect(emulator.stats().requests).toBe(0);
  });

  it("without keys: apps and calls unknown", async () => {
    const settings = configure({ dryRun: true }, {});
    const plan = await dryRun(input(range(3)), settings, 2, undefined, createInterruption());
    expect(plan).toMatchObject({ ids: 3, chunks: 2, apps: null, calls: null });
  });

  it("with a journal: what a resume would skip", async () => {
    const { settings } = emulated({}, { dryRun: true });
    const path = join(dir, "dry.journal");
    const written = new Journal(path, { defaultChunkSize: 2, apps: 1, target: settings.target });
    written.record(0, ["u1", "u2"], [{ app: "0", token: "t" }]);
    written.close();
    const journal = new Journal(path, {
      defaultChunkSize: 2,
      apps: 1,
      target: settings.target,
      readOnly: true,
    });
    const plan = await dryRun(input(range(5)), settings, 2, journal, createInterruption());
    expect(plan).toMatchObject({
      ids: 5,
      chunks: 3,
      calls: 2,
      journal: { path, confirmedChunks: 1, skippedChunks: 1, skippedIds: 2 },
    });
  });

  it("a bad row is a usage error naming its line", async () => {
    const { settings } = emulated({}, { dryRun: true });
    const failing = (async function* () {
      yield ["a"];
      const { IdReadError } = await import("@batch-custom-data/node");
      throw new IdReadError("ids.txt", 2, "the id is empty.");
    })();
    await expect(
      dryRun(input(failing), settings, 10, undefined, createInterruption()),
    ).rejects.toThrow(/^ids\.txt line 2: the id is empty\.$/);
    const broken = (async function* () {
      yield* [];
      throw new Error("EIO");
    })();
    await expect(
      dryRun(input(broken), settings, 10, undefined, createInterruption()),
    ).rejects.toThrow("EIO");
  });

  it("a stop ends it at once, even while the input waits: exit 130, not read to the end", async () => {
    const { settings } = emulated({}, { dryRun: true });
    const stop = createInterruption();
    const waiting = (async function* () {
      yield ["a", "b"];
      await new Promise(() => {}); // stdin, nothing coming
    })();
    const pending = dryRun(input(waiting), settings, 1, undefined, stop);
    await new Promise((resolve) => setTimeout(resolve, 20));
    stop.stop("SIGINT");
    expect(await pending).toMatchObject({ ok: false, exitCode: 130, interrupted: true });
    stop.dispose();
  });
});
