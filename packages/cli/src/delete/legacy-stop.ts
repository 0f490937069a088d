/**
 * INTERIM, until the core's graceful stop (`stopSignal`) lands: the stop pieced together from
 * a source that ends at the stop, a `skipChunk` that refuses what was read after it, and the
 * chunks so refused added back to the report as not attempted. Deleted with the switch.
 */
import type { DeleteUsersReport, FailureRecord, IdSource } from "@batch-custom-data/node";
import { type Interruption, nextUnless } from "../signals.js";

export function stoppable(
  ids: IdSource,
  stop: Interruption,
  skip?: (index: number, ids: readonly string[]) => boolean,
) {
  const unsent: { index: number; ids: readonly string[] }[] = [];
  const source = Array.isArray(ids)
    ? (async function* () {
        for (const id of ids) {
          if (stop.stopSignal.aborted) return;
          yield id;
        }
      })()
    : (async function* () {
        const iterator = (ids as AsyncIterable<string | readonly string[]>)[Symbol.asyncIterator]();
        try {
          for (;;) {
            const next = await nextUnless(iterator, stop.stopSignal);
            if (!next || next.done) return;
            yield next.value;
          }
        } finally {
          Promise.resolve(iterator.return?.()).catch(() => {});
        }
      })();
  return {
    ids: source as IdSource,
    skipChunk(index: number, chunk: readonly string[]) {
      if (stop.stopSignal.aborted) {
        unsent.push({ index, ids: chunk });
        return true;
      }
      return skip?.(index, chunk) ?? false;
    },
    finish(report: DeleteUsersReport): DeleteUsersReport {
      if (!stop.stopSignal.aborted) return report;
      const failures: FailureRecord[] = [...report.failures];
      let count = 0;
      const error = {
        name: "STOPPED",
        message: `Not sent: the run was stopped (${stop.signalName}) before this chunk's call.`,
        retryable: true,
        attempts: 0,
      };
      const apps = [...new Set([...report.tokens, ...report.failures].map((r) => r.app))];
      for (const { index, ids: chunk } of unsent) {
        count += chunk.length;
        for (const app of apps.length ? apps : ["0"]) {
          failures.push({ app, chunk: index, ids: chunk, attempted: false, error });
        }
      }
      failures.sort((a, b) => a.chunk - b.chunk);
      return {
        ...report,
        failed: report.failed + count,
        skipped: report.skipped - count,
        complete: false,
        failures,
        failedIds: [...new Set(failures.flatMap((f) => f.ids))],
      };
    },
  };
}
