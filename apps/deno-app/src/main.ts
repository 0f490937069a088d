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
 * missing permission, a bad row, a 401/403/404 from the API), 130 after Ctrl-C (143 SIGTERM).
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
  type ReadIdsOptions,
  readIds,
} from "@batch-custom-data/deno";
import { createProgress } from "./progress.ts";
import { createRedactor } from "./redact.ts";
import { buildReport, EXIT, humanReport } from "./report.ts";
import { listenForStop, untilStopped } from "./stop.ts";

const USAGE = `usage: main.ts [FILE | -] [--format lines|csv|ndjson|json] [--column NAME|INDEX] [--field NAME] [--json]
Ids come from FILE (which needs --allow-read=FILE) or, without one, from stdin.`;

class UsageError extends Error {}

const OPTIONS = {
  format: { type: "string" },
  column: { type: "string" },
  field: { type: "string" },
  json: { type: "boolean", default: false },
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
  return { file: positionals[0] ?? "-", options, json: values.json, help: values.help };
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

async function main(args: string[]): Promise<number> {
  const redact = createRedactor(readKey(ENV.apiKey), readKey(ENV.restApiKey));
  const out = (text: string) => console.log(redact(text).replace(/\n$/, ""));
  const err = (text: string) => console.error(redact(text));
  const stop = listenForStop((message) => err(`\n${message}`));
  try {
    const { file, options, json, help } = parse(args);
    if (help) {
      out(USAGE);
      return EXIT.ok;
    }
    const source = file === "-" ? "stdin" : file;
    const client = createClientFromEnv();
    let total: number | undefined;
    if (file !== "-" && (await isRegularFile(file))) {
      const { count, firstProblem } = await countIds(file, options);
      if (firstProblem) {
        throw new BatchValidationError(
          `${source} line ${firstProblem.line}: ${firstProblem.message} Nothing was sent.`,
        );
      }
      if (stop.stopped) {
        err("Interrupted while checking the input: nothing was sent.");
        return stop.exitCode;
      }
      total = count;
    }

    const progress = createProgress(Deno.stderr, total);
    const unsent: (readonly string[])[] = [];
    let report: DeleteUsersReport;
    let thrown: unknown;
    try {
      report = await client.deleteUsers(untilStopped(readIds(file, options), stop), {
        signal: stop.signal,
        throwOnFailure: false,
        // After a stop, a chunk already formed is not sent: it is reported as not deleted.
        skipChunk: (_, ids) => {
          if (stop.stopped) unsent.push(ids);
          return stop.stopped;
        },
        onProgress: (p) => progress.update(p),
      });
    } catch (error) {
      const attached = (error as { report?: DeleteUsersReport }).report;
      if (!attached) throw error;
      report = attached;
      thrown = error;
    } finally {
      progress.stop();
    }
    const stopped = stop.stopped ? { exitCode: stop.exitCode, reason: stop.reason } : undefined;
    const app = buildReport({ report, thrown, unsent, stopped });
    if (app.error) err(`error: ${app.error.message}`);
    out(json ? JSON.stringify(app) : humanReport(app, source));
    return app.exitCode;
  } catch (error) {
    if (error instanceof UsageError) {
      err(`error: ${error.message}\n${USAGE}`);
      return EXIT.usage;
    }
    if (error instanceof BatchValidationError) {
      const hint = /--allow-read=/.test(error.message)
        ? " Or pipe the file in: deno task delete < FILE"
        : "";
      err(`error: ${error.message}${hint}`);
      return EXIT.usage;
    }
    err(`error: ${(error as Error)?.message ?? error}`);
    return EXIT.failed;
  } finally {
    stop.dispose();
  }
}

// Deno.exit: a read still waiting on stdin after Ctrl-C must not keep the process alive.
Deno.exit(await main(Deno.args));
