/**
 * `batch-custom-data delete`: the steps in order, each in its own module under `delete/`:
 * input (what to read) → settings (the client) → journal → dry run, or confirmation → run →
 * outcome (exit code) → render (the report).
 */
import type { FetchLike } from "@batch-custom-data/node";
import { type Ask, confirm, terminalAsk } from "./delete/confirm.js";
import { dryRun } from "./delete/dry-run.js";
import { type Input, type InputFlags, openInput, planInput } from "./delete/input.js";
import { decide } from "./delete/outcome.js";
import { buildReport, json, planText, reportJson, reportText } from "./delete/render.js";
import { runDeletion } from "./delete/run.js";
import { configure, type Settings, type SettingsFlags } from "./delete/settings.js";
import { Journal, JournalError } from "./journal.js";
import { assertNoLeakyDebug } from "./node-debug.js";
import { EXIT, type Io, type Printer } from "./output.js";
import { createProgress, noProgress, showProgress } from "./progress.js";
import type { Interruption } from "./signals.js";
import { CliError, UsageError } from "./usage.js";

export { UsageError } from "./usage.js";

export interface DeleteFlags extends InputFlags, SettingsFlags {
  json?: boolean;
  resume?: string;
  /** Don't ask before a run of more than CONFIRM_ABOVE ids. */
  yes?: boolean;
  /** No progress and no notes on stderr (errors still). */
  quiet?: boolean;
  /** Progress on stderr even when it is not a terminal. */
  progress?: boolean;
  /** How long calls in flight may take after a first signal (ms). */
  stopGrace?: number;
}

export interface DeleteContext {
  readonly io: Io;
  readonly print: Printer;
  readonly stop: Interruption;
  /** Where the confirmation is asked (tests give their own). Default: the terminal, if any. */
  readonly ask?: () => Ask | undefined;
  /** The transport (tests give the emulator's fetch). Default: Node's keep-alive transport. */
  readonly fetch?: FetchLike;
}

export async function runDelete(
  args: readonly string[],
  flags: DeleteFlags,
  context: DeleteContext,
): Promise<number> {
  const { io, print, stop } = context;
  const note = (text: string) => flags.quiet || print.err(text);
  assertNoLeakyDebug(io.env);
  const plan = planInput(args, flags);
  const settings = configure(flags, io.env, context.fetch);
  const journal = flags.resume ? openJournal(flags.resume, settings, flags) : undefined;
  let input: Input | undefined;
  try {
    const chunkSize = journal?.chunkSize ?? settings.chunkSize;
    input = await openInput(plan, {
      stdin: io.stdin,
      precheck: flags.precheck !== false && !flags.dryRun,
      signal: stop.stopSignal,
    });
    if (!input) throw stoppedBeforeSending(stop);
    if (flags.dryRun) {
      const found = await dryRun(input, settings, chunkSize, journal, stop);
      print.out(flags.json ? json(found, print.redact) : planText(found, input.name));
      return found.exitCode;
    }
    if (journal?.repaired) {
      note(
        `journal: cut off a torn last line in ${journal.path} (the last run was killed mid-write).\n`,
      );
    }
    const confirmation = await confirm(input, {
      yes: flags.yes === true,
      stopSignal: stop.stopSignal,
      ask: context.ask ?? (() => terminalAsk(io, plan.kind === "stdin")),
      apps: settings.apps,
      baseUrl: settings.baseUrl,
    });
    if (!confirmation.go) {
      if (confirmation.why === "declined")
        throw new CliError("Not confirmed: nothing was sent.", EXIT.failed);
      // Stopped while reading ahead: the ids read go through the run, already stopped, so
      // they end in its report (as not sent) like any id read.
      if (!("input" in confirmation)) throw stoppedBeforeSending(stop);
    }
    input = confirmation.input;
    const progress = showProgress(io.stderr, flags)
      ? createProgress(io, { total: input.total })
      : noProgress;
    const result = await runDeletion({
      client: settings.client,
      input,
      chunkSize,
      journal,
      stop,
      onProgress: (p) => progress.update(p),
    }).finally(() => progress.stop());
    const outcome = decide(result, stop, flags.stopGrace ?? 10_000);
    const report = buildReport(result, outcome, {
      apps: settings.apps ?? 0,
      chunkSize,
      interrupted: stop.signalName !== undefined,
    });
    const mismatched = result.journal?.mismatched ?? 0;
    if (mismatched > 0) {
      note(
        `journal: ${mismatched} chunk${mismatched === 1 ? "" : "s"} in ${journal?.path} did not match the input's ids: sent again.\n`,
      );
    }
    if (outcome.error) print.err(`error: ${outcome.error.message}\n`);
    print.out(
      ...(flags.json ? [reportJson(report, print.redact)] : reportText(report, input.name)),
    );
    return outcome.exitCode;
  } finally {
    input?.close();
    journal?.close();
  }
}

function stoppedBeforeSending(stop: Interruption): CliError {
  return new CliError(
    `Stopped by ${stop.signalName ?? "SIGINT"} before anything was sent: nothing was sent.`,
    stop.exitCode,
  );
}

function openJournal(path: string, settings: Settings, flags: DeleteFlags): Journal {
  try {
    return new Journal(path, {
      chunkSize: settings.chosenChunkSize,
      defaultChunkSize: settings.chunkSize,
      apps: settings.apps ?? 0,
      target: settings.target,
      readOnly: flags.dryRun,
    });
  } catch (error) {
    if (error instanceof JournalError) throw new UsageError(error.message);
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`--resume ${path}: cannot use this file (${code ?? error}).`);
  }
}
