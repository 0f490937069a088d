/**
 * The deletion: the core's `deleteUsers` over the input, with the journal's hooks (skip what
 * an earlier run confirmed, record what this one confirms), progress, and the core's two stops:
 * `stopSignal` at the first signal (no new call, no new retry), `signal` (abort) at the second
 * or when the grace runs out. What comes back is the core's report, as it is.
 */
import type {
  BatchClient,
  ChunkOutcome,
  DeleteUsersReport,
  Progress,
} from "@batch-custom-data/node";
import type { Journal } from "../journal.js";
import type { Interruption } from "../signals.js";
import type { Input } from "./input.js";

export interface RunContext {
  readonly client: BatchClient;
  readonly input: Input;
  readonly chunkSize: number;
  readonly journal?: Journal;
  readonly stop: Interruption;
  readonly onProgress?: (progress: Progress) => void;
}

export interface JournalSummary {
  readonly path: string;
  /** Chunks skipped because an earlier run confirmed them. */
  readonly skippedChunks: number;
  /** Chunks this run appended. */
  readonly written: number;
  /** Journal chunks whose ids differ from the input's (sent again). */
  readonly mismatched: number;
}

export interface RunResult {
  readonly report: DeleteUsersReport;
  /**
   * What `deleteUsers` rejected with, when it did (it carries the report): an abort, the
   * source's error, or a hook's (the journal's `JournalWriteError` is its `cause`).
   */
  readonly error?: unknown;
  readonly journal?: JournalSummary;
}

/** A journal that cannot be written: the run stops, since a resume would send its chunks again. */
export class JournalWriteError extends Error {
  override name = "JournalWriteError";
  constructor(path: string, cause: unknown) {
    super(
      `Cannot write the journal ${path} (${(cause as Error)?.message ?? cause}): stopped, so that a resume does not send confirmed chunks again.`,
      { cause },
    );
  }
}

/** The journal as `deleteUsers` hooks: which chunks to skip, and where to record the rest. */
export function journalHooks(journal: Journal) {
  let skippedChunks = 0;
  let mismatched = 0;
  return {
    skipChunk(index: number, ids: readonly string[]): boolean {
      if (!journal.confirmed.has(index)) return false;
      if (journal.isConfirmed(index, ids)) {
        skippedChunks++;
        return true;
      }
      mismatched++;
      return false;
    },
    onChunk({ index, ids, ok, tokens }: ChunkOutcome): void {
      if (!ok) return;
      try {
        journal.record(index, ids, tokens);
      } catch (error) {
        throw new JournalWriteError(journal.path, error);
      }
    },
    summary: (): JournalSummary => ({
      path: journal.path,
      skippedChunks,
      written: journal.written,
      mismatched,
    }),
  };
}

export async function runDeletion(context: RunContext): Promise<RunResult> {
  const { client, input, chunkSize, journal, stop } = context;
  const hooks = journal && journalHooks(journal);
  try {
    const report = await client.deleteUsers(input.ids, {
      chunkSize,
      stopSignal: stop.stopSignal,
      signal: stop.abortSignal,
      // Plain failures, a stop, a halt or the breaker: the report says so (stoppedBy).
      throwOnFailure: false,
      skipChunk: hooks?.skipChunk,
      onChunk: hooks?.onChunk,
      onProgress: context.onProgress,
    });
    return { report, journal: hooks?.summary() };
  } catch (error) {
    // An abort, a source's or a hook's error: ours, with the report. Anything else is a bug.
    const report = (error as { report?: DeleteUsersReport } | undefined)?.report;
    if (!report) throw error;
    return { report, error, journal: hooks?.summary() };
  }
}
