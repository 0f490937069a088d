import { assertIdSource, chunks, type IdSource } from "./chunk.js";
import { type ClientConfig, checkCount, checkFlag, checkThreshold } from "./config.js";
import {
  BatchDeleteError,
  BatchHookError,
  BatchSourceError,
  BatchValidationError,
  describeThrown,
  type HookName,
} from "./errors.js";
import { assertIds, MAX_IDS_PER_CALL } from "./ids.js";
import { Pace } from "./pace.js";
import { IdReadError, isIdReadError } from "./read/error.js";
import { type DeleteUsersReport, summarize } from "./report.js";
import { buildDeleteUsersRequest } from "./request.js";
import { pause } from "./retry.js";
import { errorOf, send } from "./send.js";
import { Breaker, halts, RunStop } from "./stop.js";

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
  /** Chunks the run lets be in flight now: `concurrency`, or the pace an adaptive run found. */
  concurrency: number;
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
  /** Abort: ends the run at once. Calls in flight are aborted and reported failed. */
  signal?: AbortSignal;
  /**
   * Graceful stop: reads no more ids, sends no new call and no new retry (a call waiting to
   * retry ends with its last error), lets calls in flight finish. Ids read but not sent are
   * reported not attempted (`STOPPED`).
   */
  stopSignal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  /** Awaited as each chunk settles: the hook for journals and resumable jobs. */
  onChunk?: (outcome: ChunkOutcome) => unknown;
  /** Return true to not send a chunk (done in an earlier run); its ids count as skipped. */
  skipChunk?: (index: number, ids: readonly string[]) => boolean;
  /** The most chunks in flight: see `ClientOptions.concurrency`. */
  concurrency?: number;
  /** See `ClientOptions.adaptive`. */
  adaptive?: boolean;
  chunkSize?: number;
  /** The circuit breaker: see `ClientOptions.maxConsecutiveFailures` (the default). */
  maxConsecutiveFailures?: number;
  /**
   * Default true: reject with a `BatchDeleteError` when any id was not deleted. An abort, a
   * source's error or a hook's always reject.
   */
  throwOnFailure?: boolean;
}

/**
 * The bulk path: ids → chunks → one call per chunk and app, as many chunks in flight as the
 * run's pace allows (`pace.ts`) → a report that accounts for every id read, whatever stops the
 * run. A chunk is read only once it has a place in the window, so a stream of any length runs
 * in the memory of the chunks in flight.
 */
export async function deleteUsers(
  config: ClientConfig,
  ids: IdSource,
  options: DeleteUsersOptions = {},
): Promise<DeleteUsersReport> {
  assertIdSource(ids);
  const { apps, transport } = config;
  const { onProgress, onChunk, skipChunk } = options;
  // Per-call overrides are checked like createClient's: 0 workers would send nothing, silently.
  const size = checkCount(options.chunkSize ?? config.chunkSize, "chunkSize", MAX_IDS_PER_CALL);
  const concurrency = checkCount(options.concurrency ?? config.concurrency, "concurrency", 256);
  const adaptive = checkFlag(options.adaptive ?? config.adaptive, "adaptive");
  const breaker = new Breaker(
    checkThreshold(
      options.maxConsecutiveFailures ?? config.maxConsecutiveFailures,
      "maxConsecutiveFailures",
    ),
  );
  const started = Date.now();
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
  const source = chunks(ids, size);
  const stop = new RunStop(options, () => source.close());
  const pace = new Pace({
    ceiling: concurrency,
    adaptive,
    callsPerChunk: apps.length,
    maxPauseMs: transport.retry.maxElapsedMs,
    stop: stop.signal,
  });
  // Arrays were checked whole up front; a stream is checked as it comes.
  const streamed = !Array.isArray(ids);
  let sent = 0;
  let next = 0;

  /** What a hook threw stops the run; ours wraps it (never decorates it), with the report. */
  const hookFailed = (hook: HookName, thrown: unknown) => {
    const message = `deleteUsers stopped: its ${hook} hook threw: ${describeThrown(thrown)}`;
    stop.set("hook", new BatchHookError(message, { hook, cause: thrown }), {
      rejection: (report) => new BatchHookError(message, { hook, cause: thrown, report }),
    });
  };

  /**
   * The source threw, or handed over an invalid id: stop, and say so with the report. Our
   * validation errors come out again, as new errors of their class with the report; what
   * anyone else threw is wrapped, never decorated.
   */
  const sourceFailed = (thrown: unknown) => {
    if (isIdReadError(thrown)) {
      const { source, line, problem } = thrown;
      return stop.set("source", thrown, {
        rejection: (report) => new IdReadError(source, line, problem, { report }),
      });
    }
    if (thrown instanceof BatchValidationError) {
      const { message, option, variable } = thrown;
      return stop.set("source", thrown, {
        rejection: (report) => new BatchValidationError(message, { option, variable, report }),
      });
    }
    const message = `deleteUsers stopped: reading ids failed: ${describeThrown(thrown)}`;
    stop.set("source", new BatchSourceError(message, { cause: thrown }), {
      rejection: (report) => new BatchSourceError(message, { cause: thrown, report }),
    });
  };

  const tell = () => {
    if (!onProgress) return;
    const { requested: read, confirmed, failed, skipped, calls } = report;
    const concurrency = pace.limit;
    try {
      onProgress({ read, sent, confirmed, failed, skipped, calls, concurrency });
    } catch (thrown) {
      hookFailed("onProgress", thrown);
    }
  };

  /** Read but never sent: a failure in every app, not attempted, saying why the run stopped. */
  const notSent = (chunk: number, chunkIds: string[]) => {
    const error = stop.notSent;
    for (const { label: app } of apps) {
      report.failures.push({ app, chunk, ids: chunkIds, attempted: false, error });
    }
    report.failed += chunkIds.length;
    tell();
  };

  const settle = async (chunk: number, chunkIds: string[]) => {
    if (stop.reason) return notSent(chunk, chunkIds);
    let skip: unknown;
    try {
      skip = skipChunk?.(chunk, chunkIds);
    } catch (thrown) {
      hookFailed("skipChunk", thrown);
      return notSent(chunk, chunkIds);
    }
    if (skip) {
      report.skipped += chunkIds.length;
      return tell();
    }
    // A pause the server asked for holds a chunk's first calls too (a stop ends the wait).
    while (pace.held() > 0 && !stop.reason) await pause(pace.held(), undefined, stop.signal);
    if (stop.reason) return notSent(chunk, chunkIds);
    // Every app's call starts here, in the same tick as the check above: none after a stop.
    const calls = apps.map(({ key: apiKey, label: app }) =>
      send(transport, buildDeleteUsersRequest({ ...config, apiKey }, chunkIds), app, {
        abort: options.signal,
        stop: stop.signal,
        pace,
      }),
    );
    sent += chunkIds.length;
    tell();
    const tokens: { app: string; token: string }[] = [];
    for (const [i, outcome] of (await Promise.all(calls)).entries()) {
      const app = apps[i]!.label;
      if ("token" in outcome) {
        const { token } = outcome;
        tokens.push({ app, token });
        report.tokens.push({ app, chunk, ids: chunkIds.length, token });
        report.calls++;
        breaker.record("ok");
        continue;
      }
      const { failure, attempts, exhausted } = outcome;
      const error = summarize(errorOf(outcome));
      if (failure.kind !== "abort") report.calls++;
      report.failures.push({ app, chunk, ids: chunkIds, attempted: attempts > 0, error });
      // A retryable failure that did not exhaust its retries was cut short by a stop or abort.
      const end = exhausted
        ? "exhausted"
        : failure.retryable || failure.kind === "abort"
          ? "cut"
          : "final";
      if (halts(error)) stop.set("halt", error, { app });
      else if (breaker.record(end)) stop.set("breaker", error, { app });
    }
    const ok = tokens.length === apps.length;
    report[ok ? "confirmed" : "failed"] += chunkIds.length;
    tell();
    try {
      await onChunk?.({ index: chunk, ids: chunkIds, ok, tokens });
    } catch (thrown) {
      hookFailed("onChunk", thrown);
    }
  };

  /** Reads and settles one chunk; false at the end of the input or when reading failed. */
  const work = async (): Promise<boolean> => {
    let chunkIds: string[] | undefined;
    try {
      chunkIds = await source.next();
    } catch (thrown) {
      sourceFailed(thrown);
      return false;
    }
    if (!chunkIds) return false;
    const chunk = next++;
    report.requested += chunkIds.length;
    try {
      if (streamed) assertIds(chunkIds, chunk * size);
    } catch (error) {
      sourceFailed(error);
    }
    await settle(chunk, chunkIds);
    return true;
  };

  // As many workers as the ceiling; each one takes a place in the window before it reads a
  // chunk (no place once the run has stopped) and gives it back once the chunk has settled.
  const worker = async () => {
    while (await pace.turn()) {
      try {
        if (!(await work())) return;
      } finally {
        pace.done();
      }
    }
  };

  await Promise.all(Array.from({ length: concurrency }, worker));
  // Whatever stopped the run, the ids read and not sent (and an array's ids not read) are in
  // the report, not attempted; a stream is not read on, so a file of millions is not drained.
  const rest = source.rest();
  source.close();
  for (let from = 0; from < rest.length; from += size) {
    const chunkIds = rest.slice(from, from + size);
    report.requested += chunkIds.length;
    notSent(next++, chunkIds);
  }
  report.complete = source.complete;
  const sorted = report.failures.toSorted((a, b) => a.chunk - b.chunk);
  report.failedIds = [...new Set(sorted.flatMap((f) => f.ids))];
  report.durationMs = Date.now() - started;
  tell();
  stop.dispose();

  // Last: the final progress report may still be what stops it (a hook that throws).
  const stoppedBy = stop.stoppedBy;
  if (stoppedBy) report.stoppedBy = stoppedBy;
  const rejection = stop.rejection?.(report);
  if (rejection) throw rejection;
  if (report.failed > 0 && options.throwOnFailure !== false) {
    throw new BatchDeleteError(failureMessage(report, stop, breaker.threshold), { report });
  }
  return report;
}

/** `N of M ids were not deleted (NAMES)`, why the run stopped if it did, and what to do. */
function failureMessage(report: DeleteUsersReport, stop: RunStop, threshold: number): string {
  const names = [...new Set(report.failures.map((f) => f.error.name))];
  const why =
    stop.reason === "stop"
      ? "sending stopped: the stopSignal fired; "
      : stop.reason === "halt"
        ? `sending stopped at the first ${stop.error?.name}, which every later call would get too; `
        : stop.reason === "breaker"
          ? `sending stopped after ${threshold} calls in a row failed after every retry (the circuit breaker); `
          : "";
  return `${report.failed} of ${report.requested} ids were not deleted (${names}): ${why}retry error.report.failedIds.`;
}
