/**
 * Where the ids come from: arguments, stdin (`-`, or `--file -`) or a file, and how it is read.
 * `planInput` checks the command line before anything else (a usage error beats a
 * configuration error); `openInput` opens it, and counts a regular file's ids first so that a
 * bad row stops the command before anything is sent.
 */
import { constants, openSync, type Stats, statSync } from "node:fs";
import { Socket } from "node:net";
import { extname } from "node:path";
import {
  countIds,
  type IdFormat,
  type IdSource,
  idProblem,
  type ReadIdsOptions,
  readIds,
} from "@batch-custom-data/node";
import { UsageError } from "../usage.js";

/** The flags that say what to read and how. */
export interface InputFlags {
  file?: string;
  format?: IdFormat;
  column?: string;
  header?: boolean;
  delimiter?: string;
  field?: string;
  /** False with --no-precheck: don't count a regular file's ids before sending. */
  precheck?: boolean;
}

/** What to read, checked. */
export type InputPlan =
  | { kind: "arguments"; ids: string[] }
  | { kind: "stdin"; options: ReadIdsOptions }
  | { kind: "file"; path: string; options: ReadIdsOptions };

/** An input opened for reading. */
export interface Input {
  /** Ids, or batches of ids as the readers hand them on. */
  readonly ids: IdSource;
  /** How reports name it: "arguments", "stdin" or the path. */
  readonly name: string;
  /** The number of ids, when known before sending (arguments, a counted file). */
  readonly total?: number;
  /** Releases what reading holds (a FIFO's descriptor): called once the run is over. */
  close(): void;
}

const CSV_FLAGS = "--column, --header and --delimiter";

export function inferFormat(flags: InputFlags): IdFormat {
  if (flags.format) return flags.format;
  if (flags.column !== undefined || flags.header || flags.delimiter !== undefined) return "csv";
  if (flags.field !== undefined) return "ndjson";
  const ext = flags.file && flags.file !== "-" ? extname(flags.file).toLowerCase() : "";
  if (ext === ".csv") return "csv";
  if (ext === ".ndjson" || ext === ".jsonl") return "ndjson";
  if (ext === ".json") return "json";
  return "lines";
}

export function readOptions(flags: InputFlags, name: string): ReadIdsOptions {
  const format = inferFormat(flags);
  if (format !== "csv" && (flags.column !== undefined || flags.header || flags.delimiter)) {
    throw new UsageError(`${CSV_FLAGS} apply to --format csv.`);
  }
  if (format !== "ndjson" && flags.field !== undefined) {
    throw new UsageError("--field applies to --format ndjson.");
  }
  if (format !== "csv") return { format, field: flags.field, name };
  if (flags.column === undefined || flags.column === "") {
    throw new UsageError(
      "--format csv needs --column: a header name (e.g. --column user_id) or a 0-based index (e.g. --column 0).",
    );
  }
  const column = /^\d+$/.test(flags.column) ? Number(flags.column) : flags.column;
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

/**
 * `-` means stdin, as the only argument or as `--file -` (a user named `-` goes in a file):
 * reading the argument `-` as an id would report success for ids never read.
 */
export function planInput(args: readonly string[], flags: InputFlags): InputPlan {
  if (args.includes("-")) {
    if (args.length > 1 || flags.file !== undefined) {
      throw new UsageError(
        "- (stdin) is the only input when given: ids as arguments, - for stdin, or --file PATH.",
      );
    }
    return planInput([], { ...flags, file: "-" });
  }
  if (args.length > 0 && flags.file !== undefined) {
    throw new UsageError("Give ids as arguments or with --file, not both.");
  }
  if (args.length === 0 && flags.file === undefined) {
    throw new UsageError(
      "No ids given: list them as arguments, give - to read stdin, or use --file PATH.",
    );
  }
  if (flags.file === undefined) {
    const { format, column, field, header, delimiter } = flags;
    if (format || column !== undefined || field !== undefined || header || delimiter) {
      throw new UsageError(
        "--format, --column, --field, --header and --delimiter apply to --file (or -).",
      );
    }
    args.forEach((id, i) => {
      const problem = idProblem(id);
      if (problem) throw new UsageError(`Argument ${i + 1}: the id ${problem}.`);
    });
    return { kind: "arguments", ids: [...args] };
  }
  if (flags.file === "-") return { kind: "stdin", options: readOptions(flags, "stdin") };
  if (flags.file === "") throw new UsageError("--file needs a path (or - for stdin).");
  return { kind: "file", path: flags.file, options: readOptions(flags, flags.file) };
}

export interface OpenOptions {
  stdin: NodeJS.ReadableStream;
  /** Count a regular file's ids first (not in a dry run, nor with --no-precheck). */
  precheck: boolean;
  /** Ends the precheck early (Ctrl-C): `openInput` then resolves with `undefined`. */
  signal?: AbortSignal;
}

/** Opens the input; `undefined` when `signal` fired during the precheck (nothing was sent). */
export async function openInput(plan: InputPlan, options: OpenOptions): Promise<Input | undefined> {
  if (plan.kind === "arguments") {
    return { ids: plan.ids, name: "arguments", total: plan.ids.length, close() {} };
  }
  if (plan.kind === "stdin") {
    return { ids: readIds(options.stdin, plan.options), name: "stdin", close() {} };
  }
  const { path } = plan;
  const stat = statInput(path);
  if (stat.isFIFO() || stat.isSocket()) {
    const socket = openFifo(path);
    return { ids: readIds(socket, plan.options), name: path, close: () => socket.destroy() };
  }
  // A regular file can be read twice: first to check every id and count them (nothing is sent
  // if one is bad, and the count gives an ETA and the confirmation its number), then to send.
  if (!stat.isFile() || !options.precheck) {
    return { ids: readIds(path, plan.options), name: path, close() {} };
  }
  const { signal } = options;
  let counted: Awaited<ReturnType<typeof countIds>>;
  try {
    counted = await countIds(path, { ...plan.options, signal });
  } catch (error) {
    if (signal?.aborted) return undefined;
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === "string") throw new UsageError(`--file ${path}: cannot be read (${code}).`);
    throw error;
  }
  if (counted.firstProblem) {
    throw new UsageError(`${counted.firstProblem.message} Nothing was sent.`);
  }
  return { ids: readIds(path, plan.options), name: path, total: counted.count, close() {} };
}

function statInput(path: string): Stats {
  let stat: Stats;
  try {
    stat = statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      `--file ${path}: ${code === "ENOENT" ? "no such file" : `cannot be read (${code})`}.`,
    );
  }
  if (stat.isDirectory()) throw new UsageError(`--file ${path} is a directory.`);
  return stat;
}

/**
 * A FIFO read through the event loop, not the file thread pool. A plain file stream parks a
 * pool thread in a blocking open() or read() until a writer comes, and Node's exit waits for
 * that thread: the process would hang after its report. Opened non-blocking, the FIFO does not
 * wait for a writer at open; on Linux the socket then waits for one to write, and ends when
 * the last writer closes (as `cat` does).
 */
function openFifo(path: string): Socket {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`--file ${path}: cannot be opened (${code}).`);
  }
  return new Socket({ fd, readable: true, writable: false });
}
