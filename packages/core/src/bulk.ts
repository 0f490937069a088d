import { assertIdSource, chunks, type IdSource } from "./chunk.js";
import { type ClientConfig, checkCount } from "./config.js";
import { BatchAbortError, BatchDeleteError } from "./errors.js";
import { assertIds, MAX_IDS_PER_CALL } from "./ids.js";
import type { DeleteUsersReport, ErrorSummary } from "./report.js";
import { summarize } from "./report.js";
import { buildDeleteUsersRequest } from "./request.js";
import { abortError, send } from "./send.js";

export interface Progress {
  /** Ids read from the input so far. */
  read: number;
  /** Ids in chunks whose calls have been sent. */
  sent: number;
  confirmed: number;
  failed: number;
  skipped: number;
  /** HTTP calls that got a final answer. */
  calls: number;
}

/** One chunk, settled in every app. */
export interface ChunkOutcome {
  readonly index: number;
  readonly ids: readonly string[];
  /** True when every app confirmed it. */
  readonly ok: boolean;
  readonly tokens: readonly { app: string; token: string }[];
}

export interface DeleteUsersOptions {
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  /** Awaited as each chunk settles: the hook for journals and resumable jobs. */
  onChunk?: (outcome: ChunkOutcome) => unknown;
  /** Return true to not send a chunk (done in an earlier run); its ids count as skipped. */
  skipChunk?: (index: number, ids: readonly string[]) => boolean;
  concurrency?: number;
  chunkSize?: number;
  /** Default true: reject with a `BatchDeleteError` when any id was not deleted. */
  throwOnFailure?: boolean;
}

/**
 * The bulk path: ids → chunks → one call per chunk and app, `concurrency` chunks in flight →
 * a report that accounts for every id read. A chunk is read only when a worker is free to
 * send it, so a stream of any length runs in the memory of the chunks in flight.
 */
export async function deleteUsers(
  config: ClientConfig,
  ids: IdSource,
  options: DeleteUsersOptions = {},
): Promise<DeleteUsersReport> {
  assertIdSource(ids);
  const { apps, transport } = config;
  const { signal, onProgress, onChunk, skipChunk } = options;
  // Per-call overrides are checked like createClient's: 0 workers would send nothing, silently.
  const size = checkCount(options.chunkSize ?? config.chunkSize, "chunkSize", MAX_IDS_PER_CALL);
  const concurrency = checkCount(options.concurrency ?? config.concurrency, "concurrency", 256);
  const started = Date.now();
  const source = chunks(ids, size);
  // A stream that stalls (a slow file, an idle socket) must not hold an abort back. Each pull
  // races the abort with a listener of its own, removed once the pull settles: racing one
  // long-lived promise instead would keep every chunk reachable through its reactions.
  const pull = () =>
    new Promise<IteratorResult<string[]>>((resolve, reject) => {
      signal?.addEventListener("abort", reject, { once: true });
      source
        .next()
        .then(resolve, reject)
        .finally(() => signal?.removeEventListener("abort", reject));
    });
  const report: DeleteUsersReport = {
    requested: 0,
    confirmed: 0,
    failed: 0,
    skipped: 0,
    calls: 0,
    tokens: [],
    failures: [],
    failedIds: [],
    complete: false,
    durationMs: 0,
  };
  let sent = 0;
  let index = 0;
  /** Set by an error every later call would share (401, 403, an invalid id): stop sending. */
  let halt: ErrorSummary | undefined;
  let thrown: unknown;
  /** An error that ends the run: it is thrown, with the report, once in-flight calls settle. */
  const stop = (error: unknown) => {
    thrown ??= error;
    halt ??= summarize(error);
  };

  const tell = () => {
    const { requested: read, confirmed, failed, skipped, calls } = report;
    onProgress?.({ read, sent, confirmed, failed, skipped, calls });
  };

  const fail = (
    chunk: number,
    ids: string[],
    app: string,
    error: ErrorSummary,
    attempted = false,
  ) => report.failures.push({ app, chunk, ids, attempted, error });

  const settle = async (chunk: number, chunkIds: string[]) => {
    const tokens: { app: string; token: string }[] = [];
    const problem = halt ?? (signal?.aborted && summarize(abortError()));
    if (problem) {
      for (const { label } of apps) fail(chunk, chunkIds, label, problem);
    } else if (skipChunk?.(chunk, chunkIds)) {
      report.skipped += chunkIds.length;
      return tell();
    } else {
      sent += chunkIds.length;
      tell();
      await Promise.all(
        apps.map(async ({ label: app, key: apiKey }) => {
          try {
            const request = buildDeleteUsersRequest({ ...config, apiKey }, chunkIds);
            const token = await send(transport, request, app, signal);
            tokens.push({ app, token });
            report.tokens.push({ app, chunk, ids: chunkIds.length, token });
            report.calls++;
          } catch (error) {
            const summary = summarize(error);
            if (!(error instanceof BatchAbortError)) report.calls++;
            fail(chunk, chunkIds, app, summary, summary.attempts > 0);
            // 401, 403 and 404 (a wrong baseUrl) would answer every later call the same way.
            if ([401, 403, 404].includes(summary.status!)) halt ??= summary;
          }
        }),
      );
    }
    const ok = tokens.length === apps.length;
    report[ok ? "confirmed" : "failed"] += chunkIds.length;
    await onChunk?.({ index: chunk, ids: chunkIds, ok, tokens });
    tell();
  };

  const worker = async () => {
    for (;;) {
      // After a halt an array's remaining ids are still accounted for (they are in memory
      // anyway); a stream is not read on, so a file of millions is not drained into memory.
      if ((halt && !Array.isArray(ids)) || signal?.aborted) return;
      let next: IteratorResult<string[]>;
      try {
        next = await pull();
      } catch (error) {
        if (signal?.aborted) return;
        // The source failed (a file that could not be read): stop, and say so with the report.
        return stop(error);
      }
      if (next.done) {
        report.complete = !thrown && !signal?.aborted;
        return;
      }
      const chunk = index++;
      report.requested += next.value.length;
      try {
        // Arrays were checked whole up front; a stream is checked as it comes.
        if (!Array.isArray(ids)) assertIds(next.value, chunk * size);
      } catch (error) {
        stop(error);
      }
      // A hook that throws (a journal that can't be written) stops the run like a bad source
      // does: the error comes out with the report once in-flight calls settle, never earlier.
      await settle(chunk, next.value).catch(stop);
    }
  };

  await Promise.all(Array.from({ length: concurrency }, worker));
  // A stream left early (halt, abort) is closed, so its file or socket is released now.
  source.return(undefined).catch(() => {});
  const sorted = report.failures.toSorted((a, b) => a.chunk - b.chunk);
  report.failedIds = [...new Set(sorted.flatMap((f) => f.ids))];
  report.durationMs = Date.now() - started;
  tell();

  if (signal?.aborted) thrown = abortError();
  if (!thrown && report.failed > 0 && options.throwOnFailure !== false) {
    const reasons = [...new Set(report.failures.map((f) => f.error.name))];
    thrown = new BatchDeleteError(
      `${report.failed} of ${report.requested} ids were not deleted (${reasons}): retry error.report.failedIds.`,
    );
  }
  if (thrown) throw Object.assign(Object(thrown), { report });
  return report;
}
