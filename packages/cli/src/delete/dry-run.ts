/**
 * `--dry-run`: every id read and checked, and the plan counted, by the core itself (its
 * chunking and validation), through a client told to skip every chunk: nothing is sent, and
 * its `fetch` could not send anything anyway.
 */
import { BatchValidationError, type DeleteUsersReport } from "@batch-custom-data/node";
import type { Journal } from "../journal.js";
import { EXIT } from "../output.js";
import type { Interruption } from "../signals.js";
import { UsageError } from "../usage.js";
import type { Input } from "./input.js";
import type { Plan } from "./render.js";
import type { Settings } from "./settings.js";

export async function dryRun(
  input: Input,
  settings: Pick<Settings, "client" | "apps">,
  chunkSize: number,
  journal: Journal | undefined,
  stop: Pick<Interruption, "stopSignal" | "exitCode">,
): Promise<Plan> {
  let chunks = 0;
  let skippedChunks = 0;
  let skippedIds = 0;
  let report: DeleteUsersReport;
  try {
    report = await settings.client.deleteUsers(input.ids, {
      chunkSize,
      throwOnFailure: false,
      // A stop ends reading at once, even while stdin waits for data.
      stopSignal: stop.stopSignal,
      skipChunk(index, ids) {
        chunks++;
        if (journal?.isConfirmed(index, ids)) {
          skippedChunks++;
          skippedIds += ids.length;
        }
        return true;
      },
    });
  } catch (error) {
    // A bad row: what the dry run is for. Anything else (a read error) is not ours to hide.
    if (error instanceof BatchValidationError) throw new UsageError(error.message);
    throw error;
  }
  const interrupted = stop.stopSignal.aborted;
  const apps = settings.apps ?? null;
  return {
    ok: !interrupted,
    exitCode: interrupted ? stop.exitCode : EXIT.ok,
    dryRun: true,
    interrupted,
    ids: report.requested,
    chunkSize,
    chunks,
    apps,
    calls: apps === null ? null : (chunks - skippedChunks) * apps,
    ...(journal && {
      journal: {
        path: journal.path,
        confirmedChunks: journal.confirmed.size,
        skippedChunks,
        skippedIds,
      },
    }),
  };
}
