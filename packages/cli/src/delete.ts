/**
 * `batch-custom-data delete`: ids from arguments, a file or stdin → the Node adapter's
 * client → a report (human or `--json`) and an exit code. Resumable through a journal.
 */
import { statSync } from "node:fs";
import { extname } from "node:path";
import {
  BatchAbortError,
  BatchValidationError,
  type ChunkOutcome,
  type ClientOptions,
  clientOptionsFromEnv,
  createClientFromEnv,
  DEFAULT_BASE_URL,
  type DeleteUsersReport,
  ENV,
  type ErrorSummary,
  type FailureRecord,
  type FetchLike,
  type IdFormat,
  IdReadError,
  type IdSource,
  idProblem,
  MAX_IDS_PER_CALL,
  type ReadIdsOptions,
  readIds,
} from "@batch-custom-data/node";
import { targetHash } from "./hash.js";
import { Journal, JournalError } from "./journal.js";
import { EXIT, type Io, int, type Printer, seconds } from "./output.js";
import { createProgress } from "./progress.js";
import { type Interruption, interruptible } from "./signals.js";

export interface DeleteFlags {
  file?: string;
  format?: IdFormat;
  column?: string;
  header?: boolean;
  delimiter?: string;
  field?: string;
  concurrency?: number;
  chunkSize?: number;
  baseUrl?: string;
  timeout?: number;
  retries?: number;
  json?: boolean;
  dryRun?: boolean;
  resume?: string;
  /** False with --no-precheck: don't validate and count a --file before sending. */
  precheck?: boolean;
}

/** A mistake in the command line or the configuration: exit 2, nothing sent. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Human summaries list this many failed ids; `--json` lists them all. */
const LIST_LIMIT = 1000;

interface Source {
  /** Ids, or batches of ids as the readers hand them on. */
  ids: IdSource;
  /** The input may wait for data indefinitely (stdin): reads are raced against a stop. */
  waits?: boolean;
  /** Known up front (arguments, or a file counted by the precheck). */
  total?: number;
  name: string;
}

/** The CLI's report: the core's, plus what the run was and how it ended. */
export interface CliReport extends Omit<DeleteUsersReport, "failures"> {
  ok: boolean;
  exitCode: number;
  interrupted: boolean;
  apps: number;
  chunkSize: number;
  failures: FailureRecord[];
  error?: { name: string; message: string };
  journal?: {
    path: string;
    /** Chunks skipped because an earlier run confirmed them. */
    skippedChunks: number;
    /** Chunks this run appended. */
    written: number;
    /** Journal chunks whose ids differ from the input's (sent again). */
    mismatched: number;
  };
}

function inferFormat(flags: DeleteFlags): IdFormat {
  if (flags.format) return flags.format;
  if (flags.column !== undefined || flags.header || flags.delimiter !== undefined) return "csv";
  if (flags.field !== undefined) return "ndjson";
  const ext = flags.file && flags.file !== "-" ? extname(flags.file).toLowerCase() : "";
  if (ext === ".csv") return "csv";
  if (ext === ".ndjson" || ext === ".jsonl") return "ndjson";
  return "lines";
}

function readOptions(flags: DeleteFlags, format: IdFormat, name: string): ReadIdsOptions {
  if (format !== "csv" && (flags.column !== undefined || flags.header || flags.delimiter)) {
    throw new UsageError("--column, --header and --delimiter apply to --format csv.");
  }
  if (format !== "ndjson" && flags.field !== undefined) {
    throw new UsageError("--field applies to --format ndjson.");
  }
  if (format === "csv") {
    if (flags.column === undefined) {
      throw new UsageError(
        "--format csv needs --column: a header name (e.g. --column user_id) or a 0-based index (e.g. --column 0).",
      );
    }
    const column = /^\d+$/.test(flags.column) ? Number(flags.column) : flags.column;
    if (column === "") throw new UsageError("--column must be a header name or a 0-based index.");
    if (flags.delimiter !== undefined && [...flags.delimiter].length !== 1) {
      throw new UsageError("--delimiter must be one character, e.g. --delimiter ';'.");
    }
    return {
      format,
      column,
      header: typeof column === "string" ? true : flags.header,
      delimiter: flags.delimiter,
      name,
    };
  }
  return { format, field: flags.field, name };
}

async function countIds(batches: AsyncIterable<string[]>, stop: Interruption): Promise<number> {
  let count = 0;
  for await (const batch of interruptible(batches, stop)) count += batch.length;
  return count;
}

/** What to read, checked before anything else (a usage error beats a configuration error). */
type Input =
  | { kind: "arguments"; ids: string[] }
  | { kind: "stdin"; options: ReadIdsOptions }
  | { kind: "file"; path: string; options: ReadIdsOptions };

function planInput(ids: string[], flags: DeleteFlags): Input {
  if (ids.length > 0 && flags.file !== undefined) {
    throw new UsageError("Give ids as arguments or with --file, not both.");
  }
  if (ids.length === 0 && flags.file === undefined) {
    throw new UsageError(
      "No ids given: list them as arguments, or use --file PATH (--file - reads stdin).",
    );
  }
  if (flags.file === undefined) {
    if (flags.format || flags.column || flags.field || flags.header || flags.delimiter) {
      throw new UsageError(
        "--format, --column, --field, --header and --delimiter apply to --file.",
      );
    }
    ids.forEach((id, i) => {
      const problem = idProblem(id);
      if (problem) throw new UsageError(`Argument ${i + 1}: the id ${problem}.`);
    });
    return { kind: "arguments", ids };
  }
  const format = inferFormat(flags);
  if (flags.file === "-") return { kind: "stdin", options: readOptions(flags, format, "stdin") };
  if (flags.file === "") throw new UsageError("--file needs a path (or - for stdin).");
  return { kind: "file", path: flags.file, options: readOptions(flags, format, flags.file) };
}

async function openSource(
  input: Input,
  flags: DeleteFlags,
  io: Io,
  stop: Interruption,
): Promise<Source> {
  if (input.kind === "arguments") {
    return { ids: input.ids, total: input.ids.length, name: "arguments" };
  }
  if (input.kind === "stdin") {
    return { ids: readIds(io.stdin, input.options), name: "stdin", waits: true };
  }
  const { path, options } = input;
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      `--file ${path}: ${code === "ENOENT" ? "no such file" : `cannot be read (${code})`}.`,
    );
  }
  if (stat.isDirectory()) throw new UsageError(`--file ${path} is a directory.`);
  // A regular file can be read twice: first to check every id and count them (nothing is sent
  // if one is bad, and the count gives an ETA), then to send. A pipe or FIFO is read once.
  if (stat.isFile() && flags.precheck !== false && !flags.dryRun) {
    let total: number;
    try {
      total = await countIds(readIds(path, options), stop);
    } catch (error) {
      if (error instanceof BatchValidationError) {
        throw new UsageError(`${error.message} Nothing was sent.`);
      }
      throw error;
    }
    return { ids: readIds(path, options), total, name: path };
  }
  // Not a regular file (a FIFO, /dev/stdin, a process substitution): it may wait for data.
  return { ids: readIds(path, options), name: path, waits: !stat.isFile() };
}

/** Refuses to touch the network: what a dry run gets as its `fetch`. */
const noNetwork: FetchLike = () => {
  throw new Error("dry run: nothing may be sent");
};

interface Config {
  client: ReturnType<typeof createClientFromEnv>;
  apps: number;
  /** How the client names the apps in reports: labels of `ios=KEY,…`, else "0", "1", … */
  labels: string[];
  target: string;
}

/** The app keys of an `apiKey` option, and the labels the client reports them by. */
function appsOf(apiKey: ClientOptions["apiKey"]): { keys: string[]; labels: string[] } {
  if (typeof apiKey === "string") return { keys: [apiKey], labels: ["0"] };
  const entries = Object.entries(apiKey);
  return { keys: entries.map(([, key]) => key), labels: entries.map(([label]) => label) };
}

function configure(flags: DeleteFlags, env: Io["env"]): Config {
  const overrides = {
    baseUrl: flags.baseUrl,
    concurrency: flags.concurrency,
    chunkSize: flags.chunkSize,
    timeoutMs: flags.timeout,
    retry: flags.retries === undefined ? undefined : { retries: flags.retries },
    fetch: flags.dryRun ? noNetwork : undefined,
  };
  try {
    const client = createClientFromEnv(env, overrides);
    const { apiKey, baseUrl = DEFAULT_BASE_URL } = clientOptionsFromEnv(env, overrides);
    const { keys, labels } = appsOf(apiKey);
    return { client, apps: keys.length, labels, target: targetHash(baseUrl, keys) };
  } catch (error) {
    if (!(error instanceof BatchValidationError)) throw error;
    // A bad --base-url is the flag's fault, not the variable's: name the flag.
    const flag = error.option === "baseUrl" && error.variable === undefined;
    throw new UsageError(
      flag ? `--base-url: ${error.message.replace(/^createClient: /, "")}` : error.message,
    );
  }
}

function openJournal(path: string, flags: DeleteFlags, config: Config): Journal {
  try {
    return new Journal(path, {
      chunkSize: flags.chunkSize,
      defaultChunkSize: MAX_IDS_PER_CALL,
      apps: config.apps,
      target: config.target,
      readOnly: flags.dryRun,
    });
  } catch (error) {
    if (error instanceof JournalError) throw new UsageError(error.message);
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`--resume ${path}: cannot use this file (${code ?? error}).`);
  }
}

export async function runDelete(
  ids: string[],
  flags: DeleteFlags,
  io: Io,
  print: Printer,
  stop: Interruption,
): Promise<number> {
  const input = planInput(ids, flags);
  const config = configure(flags, io.env);
  const journal = flags.resume ? openJournal(flags.resume, flags, config) : undefined;
  try {
    const chunkSize = journal?.chunkSize ?? flags.chunkSize ?? MAX_IDS_PER_CALL;
    if (journal?.repaired && !flags.dryRun) {
      print.err(
        `journal: cut off a torn last line in ${journal.path} (the last run was killed mid-write).\n`,
      );
    }
    const source = await openSource(input, flags, io, stop);
    if (stop.stopped) return finishInterruptedPrecheck(flags, print, stop);
    if (flags.dryRun) return await dryRun(source, chunkSize, config, journal, flags, print, stop);
    return await run(source, chunkSize, config, journal, flags, io, print, stop);
  } finally {
    journal?.close();
  }
}

function finishInterruptedPrecheck(flags: DeleteFlags, print: Printer, stop: Interruption): number {
  const message = "Interrupted while checking the input: nothing was sent.";
  print.err(`${message}\n`);
  if (flags.json) {
    print.out(
      `${JSON.stringify({ ok: false, exitCode: stop.exitCode, interrupted: true, error: { name: "Interrupted", message } })}\n`,
    );
  }
  return stop.exitCode;
}

async function dryRun(
  source: Source,
  chunkSize: number,
  config: Config,
  journal: Journal | undefined,
  flags: DeleteFlags,
  print: Printer,
  stop: Interruption,
): Promise<number> {
  let ids = 0;
  let chunks = 0;
  let skippedChunks = 0;
  let skippedIds = 0;
  let chunk: string[] = [];
  const settle = () => {
    if (journal?.isConfirmed(chunks, chunk)) {
      skippedChunks++;
      skippedIds += chunk.length;
    }
    chunks++;
    chunk = [];
  };
  try {
    for await (const item of interruptible(source.ids, stop, source.waits)) {
      for (const id of typeof item === "string" ? [item] : item) {
        ids++;
        if (chunk.push(id) === chunkSize) settle();
      }
    }
  } catch (error) {
    if (error instanceof BatchValidationError) throw new UsageError(error.message);
    throw error;
  }
  if (chunk.length > 0) settle();
  const calls = (chunks - skippedChunks) * config.apps;
  const interrupted = stop.stopped;
  const exitCode = interrupted ? stop.exitCode : EXIT.ok;
  if (flags.json) {
    print.out(
      `${JSON.stringify({
        ok: !interrupted,
        exitCode,
        dryRun: true,
        interrupted,
        ids,
        chunkSize,
        chunks,
        apps: config.apps,
        calls,
        ...(journal && {
          journal: {
            path: journal.path,
            confirmedChunks: journal.size.chunks,
            skippedChunks,
            skippedIds,
          },
        }),
      })}\n`,
    );
  } else {
    const lines = [
      `Dry run: ${int(ids)} valid id${ids === 1 ? "" : "s"} from ${source.name}${interrupted ? " (interrupted: input not read to the end)" : ""}.`,
      `Plan: ${int(chunks)} chunk${chunks === 1 ? "" : "s"} of up to ${int(chunkSize)} ids × ${config.apps} app${config.apps === 1 ? "" : "s"} = ${int(chunks * config.apps)} calls.`,
    ];
    if (journal) {
      lines.push(
        `Journal ${journal.path}: ${int(skippedChunks)} chunk${skippedChunks === 1 ? "" : "s"} (${int(skippedIds)} ids) already confirmed would be skipped: ${int(calls)} calls to send.`,
      );
    }
    lines.push("Nothing was sent.");
    print.out(`${lines.join("\n")}\n`);
  }
  return exitCode;
}

async function run(
  source: Source,
  chunkSize: number,
  config: Config,
  journal: Journal | undefined,
  flags: DeleteFlags,
  io: Io,
  print: Printer,
  stop: Interruption,
): Promise<number> {
  const progress = createProgress(io, { total: source.total });
  /** Chunks read but not sent because the run was interrupted: reported as not deleted. */
  const unsent: { index: number; ids: readonly string[] }[] = [];
  let skippedChunks = 0;
  let mismatched = 0;
  let journalError: Error | undefined;

  const skipChunk = (index: number, chunkIds: readonly string[]) => {
    if (stop.stopped || journalError) {
      unsent.push({ index, ids: chunkIds });
      return true;
    }
    if (!journal?.confirmed.has(index)) return false;
    if (journal.isConfirmed(index, chunkIds)) {
      skippedChunks++;
      return true;
    }
    mismatched++;
    return false;
  };
  const onChunk = ({ index, ids, ok, tokens }: ChunkOutcome) => {
    if (!ok || !journal || journalError) return;
    try {
      journal.record(index, ids, tokens);
    } catch (error) {
      // Without a journal a resume would send everything again: stop sending, say why.
      journalError = error as Error;
      print.err(
        `error: cannot write the journal ${journal.path} (${(error as Error).message}): stopping.\n`,
      );
    }
  };

  let report: DeleteUsersReport;
  let fatal: unknown;
  try {
    report = await config.client.deleteUsers(interruptible(source.ids, stop, source.waits), {
      chunkSize,
      signal: stop.signal,
      throwOnFailure: false,
      skipChunk,
      onChunk,
      onProgress: (p) => progress.update(p),
    });
  } catch (error) {
    const attached = (error as { report?: DeleteUsersReport }).report;
    if (!attached) {
      progress.stop();
      throw error;
    }
    report = attached;
    fatal = error;
  }
  progress.stop();

  const cli = buildReport(report, unsent, config, chunkSize, stop);
  if (journal) {
    cli.journal = { path: journal.path, skippedChunks, written: journal.written, mismatched };
  }
  if (mismatched > 0) {
    print.err(
      `journal: ${mismatched} chunk${mismatched === 1 ? "" : "s"} in ${journal?.path} did not match the input's ids: sent again.\n`,
    );
  }

  // What went wrong, most actionable first.
  const refused = report.failures.find((f) => [401, 403, 404].includes(f.error.status ?? 0));
  if (stop.stopped) {
    cli.exitCode = stop.exitCode;
    cli.error = {
      name: "Interrupted",
      message: `Interrupted by ${stop.signalName}: ${stop.forced ? "calls in flight were aborted" : "no new calls were sent, calls in flight finished"}.`,
    };
  } else if (fatal instanceof BatchValidationError || refused) {
    cli.exitCode = EXIT.usage;
    cli.error = refused
      ? { name: refused.error.name, message: configurationHint(refused.error) }
      : {
          name: (fatal as Error).name,
          message: `${(fatal as Error).message}${fatal instanceof IdReadError ? " Fix the input and run again (with --resume to skip what was done)." : ""}`,
        };
  } else if (fatal && !(fatal instanceof BatchAbortError)) {
    cli.exitCode = EXIT.failed;
    cli.error = { name: (fatal as Error).name, message: (fatal as Error).message };
  } else if (journalError) {
    cli.exitCode = EXIT.failed;
    cli.error = {
      name: "JournalError",
      message: `Cannot write the journal: ${journalError.message}`,
    };
  } else {
    cli.exitCode = cli.failed > 0 || !cli.complete ? EXIT.failed : EXIT.ok;
  }
  cli.ok = cli.exitCode === EXIT.ok;

  if (cli.error) print.err(`error: ${cli.error.message}\n`);
  print.out(flags.json ? `${JSON.stringify(cli)}\n` : humanReport(cli, source));
  return cli.exitCode;
}

/** What to fix when the API refuses every call the same way (401, 403, 404). */
function configurationHint(error: ErrorSummary): string {
  const what = `HTTP ${error.status}${error.code ? `, code ${error.code}` : ""}, ${error.name}`;
  const fix =
    error.status === 404
      ? `check ${ENV.baseUrl} or --base-url: it must end in /1.0, e.g. ${DEFAULT_BASE_URL}`
      : error.status === 403
        ? `check ${ENV.apiKey}: does this app's plan include the Custom Data API (Premier or Enterprise)?`
        : `check ${ENV.apiKey} and ${ENV.restApiKey} (and ${ENV.baseUrl} or --base-url)`;
  return `The API refused the call (${what}): ${fix}. ${error.message}`;
}

function buildReport(
  report: DeleteUsersReport,
  unsent: { index: number; ids: readonly string[] }[],
  config: Config,
  chunkSize: number,
  stop: Interruption,
): CliReport {
  const failures: FailureRecord[] = [...report.failures];
  let unsentIds = 0;
  if (unsent.length > 0) {
    const error: ErrorSummary = {
      name: "Interrupted",
      message: `Not sent: the run was interrupted (${stop.signalName}) before this chunk's call.`,
      retryable: true,
      attempts: 0,
    };
    for (const { index, ids } of unsent) {
      unsentIds += ids.length;
      for (const app of config.labels) {
        failures.push({ app, chunk: index, ids, attempted: false, error });
      }
    }
  }
  failures.sort((a, b) => a.chunk - b.chunk || a.app.localeCompare(b.app));
  const failedIds = unsent.length ? [...new Set(failures.flatMap((f) => f.ids))] : report.failedIds;
  return {
    ok: false,
    exitCode: EXIT.failed,
    interrupted: stop.stopped,
    requested: report.requested,
    confirmed: report.confirmed,
    failed: report.failed + unsentIds,
    skipped: report.skipped - unsentIds,
    calls: report.calls,
    apps: config.apps,
    chunkSize,
    complete: report.complete && !stop.stopped,
    durationMs: report.durationMs,
    tokens: report.tokens.toSorted((a, b) => a.chunk - b.chunk || a.app.localeCompare(b.app)),
    failures,
    failedIds,
  };
}

function humanReport(cli: CliReport, source: Source): string {
  const lines: string[] = [];
  const apps = `${cli.apps} app${cli.apps === 1 ? "" : "s"}`;
  lines.push(
    `${cli.ok ? "Done" : "Not done"}: ${int(cli.confirmed)} of ${int(cli.requested)} ids from ${source.name} confirmed in every app (${apps}); ${int(cli.failed)} failed${cli.skipped ? `, ${int(cli.skipped)} skipped (confirmed by an earlier run)` : ""}; ${int(cli.calls)} call${cli.calls === 1 ? "" : "s"} in ${seconds(cli.durationMs)}.`,
  );
  if (!cli.complete && !cli.interrupted && cli.exitCode !== EXIT.ok) {
    lines.push("The input was not read to the end: ids after the failure were not sent.");
  }
  if (cli.journal) {
    lines.push(
      `Journal ${cli.journal.path}: ${int(cli.journal.skippedChunks)} chunks skipped, ${int(cli.journal.written)} chunks recorded.`,
    );
  }
  if (cli.tokens.length > 0) {
    lines.push(`Tokens (${int(cli.tokens.length)}, one per call):`);
    for (const t of cli.tokens) {
      lines.push(`  ${t.token}  chunk ${t.chunk}, app ${t.app}, ${int(t.ids)} ids`);
    }
  }
  if (cli.failures.length > 0) {
    lines.push("Failed calls:");
    for (const f of cli.failures) {
      lines.push(
        `  chunk ${f.chunk}, app ${f.app}, ${int(f.ids.length)} ids: ${f.error.name}${f.error.status ? ` (HTTP ${f.error.status})` : ""}${f.attempted ? `, ${f.error.attempts} attempt${f.error.attempts === 1 ? "" : "s"}` : ", not sent"}: ${f.error.message}`,
      );
    }
    lines.push(`Failed ids (${int(cli.failedIds.length)}), to retry:`);
    for (const id of cli.failedIds.slice(0, LIST_LIMIT)) lines.push(`  ${JSON.stringify(id)}`);
    if (cli.failedIds.length > LIST_LIMIT) {
      lines.push(
        `  … and ${int(cli.failedIds.length - LIST_LIMIT)} more: run with --json for every id.`,
      );
    }
  }
  return `${lines.join("\n")}\n`;
}
