/**
 * Deletes the custom data of every id in a file, or stdin, in every app of BATCH_API_KEY,
 * with the narrowest permissions: the API's host, the BATCH_* variables, and the one file.
 *
 *   deno task delete < ids.txt
 *   deno run --no-prompt --allow-net=api.batch.com:443 --allow-env=BATCH_API_KEY,… \
 *     --allow-read=ids.csv src/main.ts ids.csv --format csv --column user_id
 *
 * Progress on stderr (a terminal only), the report on stdout (`--json`: one JSON document).
 * Exit codes: 0 every id confirmed, 1 some ids not deleted, 2 usage or configuration (a
 * missing permission, a bad row, a 401/403/404 or a redirect from the API), 130 after Ctrl-C
 * (143 SIGTERM). The first signal is the core's graceful stop, a second (or the end of the
 * grace) its abort; the report is the core's, and `report.stoppedBy` says why it ended early.
 */
import { parseArgs } from "node:util";
import {
  BatchValidationError,
  countIds,
  createClientFromEnv,
  type DeleteUsersReport,
  ENV,
  ID_FORMATS,
  type IdFormat,
  isBatchValidationError,
  type ReadIdsOptions,
  readIds,
} from "@batch-custom-data/deno";
import { createProgress } from "./progress.ts";
import { createRedactor } from "./redact.ts";
import { buildReport, EXIT, humanReport, type Outcome } from "./report.ts";
import { DEFAULT_GRACE_MS, listenForStop, type Stop } from "./stop.ts";

const USAGE = `usage: main.ts [FILE | -] [--format lines|csv|ndjson|json] [--column NAME|INDEX] [--field NAME] [--json] [--stop-grace MS]
Ids come from FILE (which needs --allow-read=FILE) or, without one, from stdin.
The first Ctrl-C sends nothing new and gives the calls in flight --stop-grace ms (default 10000) to finish; a second aborts them.`;

class UsageError extends Error {}

/** An hour: a longer wait for calls in flight is a typo. */
const MAX_GRACE_MS = 3_600_000;

const OPTIONS = {
  format: { type: "string" },
  column: { type: "string" },
  field: { type: "string" },
  json: { type: "boolean", default: false },
  "stop-grace": { type: "string" },
  help: { type: "boolean", short: "h", default: false },
} as const;

function parseFlags(args: string[]) {
  try {
    return parseArgs({ args, allowPositionals: true, options: OPTIONS });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function parse(args: string[]) {
  const { values, positionals } = parseFlags(args);
  if (positionals.length > 1) throw new UsageError("Give one file (or - for stdin).");
  const format = (values.format ?? (values.column !== undefined ? "csv" : "lines")) as IdFormat;
  if (!ID_FORMATS.includes(format)) {
    throw new UsageError(`--format must be one of ${ID_FORMATS.join(", ")}.`);
  }
  const column =
    values.column !== undefined && /^\d+$/.test(values.column)
      ? Number(values.column)
      : values.column;
  const options: ReadIdsOptions = { format, column, field: values.field };
  const grace = values["stop-grace"];
  if (grace !== undefined && !(/^\d+$/.test(grace) && Number(grace) <= MAX_GRACE_MS)) {
    throw new UsageError(
      `--stop-grace must be a whole number of milliseconds, 0 to ${MAX_GRACE_MS}.`,
    );
  }
  const graceMs = grace === undefined ? DEFAULT_GRACE_MS : Number(grace);
  return { file: positionals[0] ?? "-", options, json: values.json, help: values.help, graceMs };
}

/** Only the keys' values are read here, and only to keep them out of the output. */
function readKey(variable: string): string | undefined {
  const allowed = Deno.permissions.querySync({ name: "env", variable }).state === "granted";
  return allowed ? Deno.env.get(variable) : undefined;
}

/** A regular file can be read twice: checked and counted first, so a bad row sends nothing. */
async function isRegularFile(path: string): Promise<boolean> {
  if (Deno.permissions.querySync({ name: "read", path }).state !== "granted") return true;
  return await Deno.stat(path).then(
    (info) => info.isFile,
    () => true,
  );
}

type Print = (text: string) => void;

/** The run itself: the file checked (and counted) first, then every id sent. */
async function deleteAll(
  { file, options, json }: ReturnType<typeof parse>,
  stop: Stop,
  out: Print,
  err: Print,
): Promise<number> {
  const source = file === "-" ? "stdin" : file;
  const client = createClientFromEnv();
  let total: number | undefined;
  if (file !== "-" && (await isRegularFile(file))) {
    // A stop ends the check at once (the reader throws): nothing has been sent yet.
    const counted = await countIds(file, { ...options, signal: stop.stopSignal }).catch((error) => {
      if (stop.stopSignal.aborted) return undefined;
      throw error;
    });
    if (!counted) {
      err("Interrupted while checking the input: nothing was sent.");
      return stop.exitCode;
    }
    const { count, firstProblem } = counted;
    if (firstProblem) {
      throw new BatchValidationError(
        `${source} line ${firstProblem.line}: ${firstProblem.message} Nothing was sent.`,
      );
    }
    total = count;
  }

  const progress = createProgress(Deno.stderr, total);
  let outcome: Outcome;
  try {
    const report = await client.deleteUsers(readIds(file, options), {
      stopSignal: stop.stopSignal,
      signal: stop.abortSignal,
      // Failed ids, a stop, a halt or the breaker: the report says so (stoppedBy).
      throwOnFailure: false,
      onProgress: (p) => progress.update(p),
    });
    outcome = { report };
  } catch (error) {
    // An abort, or the source's error (a bad row on stdin): ours, with the report.
    const report = (error as { report?: DeleteUsersReport } | undefined)?.report;
    if (!report) throw error;
    outcome = { report, error };
  } finally {
    progress.stop();
  }
  const app = buildReport(outcome, stop);
  if (app.error) err(`error: ${app.error.message}`);
  out(json ? JSON.stringify(app) : humanReport(app, source));
  return app.exitCode;
}

async function main(args: string[]): Promise<number> {
  const redact = createRedactor(readKey(ENV.apiKey), readKey(ENV.restApiKey));
  const out: Print = (text) => console.log(redact(text).replace(/\n$/, ""));
  const err: Print = (text) => console.error(redact(text));
  try {
    const parsed = parse(args);
    if (parsed.help) {
      out(USAGE);
      return EXIT.ok;
    }
    const stop = listenForStop({
      graceMs: parsed.graceMs,
      notify: (message) => err(`\n${message}`),
    });
    try {
      return await deleteAll(parsed, stop, out, err);
    } finally {
      stop.dispose();
    }
  } catch (error) {
    if (error instanceof UsageError) {
      err(`error: ${error.message}\n${USAGE}`);
      return EXIT.usage;
    }
    if (isBatchValidationError(error)) {
      const hint = /--allow-read=/.test(error.message)
        ? " Or pipe the file in: deno task delete < FILE"
        : "";
      err(`error: ${error.message}${hint}`);
      return EXIT.usage;
    }
    err(`error: ${(error as Error)?.message ?? error}`);
    return EXIT.failed;
  }
}

// Deno.exit: a read still waiting on stdin after Ctrl-C must not keep the process alive.
Deno.exit(await main(Deno.args));
