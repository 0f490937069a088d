/** The `delete` command's flags and help: what commander parses and `--help` shows. */
import { ID_FORMATS } from "@batch-custom-data/node";
import { type Command, InvalidArgumentError, Option } from "commander";
import type { DeleteFlags } from "../delete.js";
import { DEFAULT_GRACE_MS } from "../signals.js";
import { CONFIRM_ABOVE } from "./confirm.js";

export function integer(flag: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`${flag} must be a whole number from ${min} to ${max}.`);
    }
    return n;
  };
}

const thousand = CONFIRM_ABOVE.toLocaleString("en-US");

export const DELETE_HELP = `
Examples:
  $ export BATCH_API_KEY=IOS_KEY,ANDROID_KEY BATCH_REST_API_KEY=REST_KEY
  $ batch-custom-data delete user-1 user-2
  $ batch-custom-data delete --file ids.txt --resume ids.journal
  $ batch-custom-data delete --file users.csv --column user_id --dry-run
  $ cut -d, -f1 users.csv | batch-custom-data delete - --yes --json > report.json

Environment:
  BATCH_API_KEY       required (not for --dry-run): the app's API key; several apps
                      KEY1,KEY2, or labelled ios=KEY1,android=KEY2
  BATCH_REST_API_KEY  required (not for --dry-run): the company's REST API key
  BATCH_BASE_URL      default https://api.batch.com/1.0 (--base-url wins)
  BATCH_TIMEOUT_MS, BATCH_RETRIES, BATCH_CONCURRENCY, BATCH_CHUNK_SIZE
                      tuning; the flags win
  NO_COLOR            no colour on the terminal
  NODE_DEBUG          refused when it names http, net, tls, undici… (Node would print the keys)

Output:
  stdout: the report (with --json, one JSON document and nothing else); failed ids are
  listed there, and nowhere else. stderr: progress (on a terminal, or with --progress),
  notes and errors. Neither key is ever printed.

Confirmation:
  A run of more than ${thousand} ids asks first on the terminal; --yes skips the question.
  Where there is no terminal to ask on (a script, CI), it refuses without --yes (exit 2).

Exit codes:
  0    every id confirmed by every app
  1    some ids were not deleted (listed in the report): failed calls, the API failing
       every call (the run stops), a journal that cannot be written; or "no" at the prompt
  2    usage or configuration error, nothing sent; also the API refusing the configuration
       (401, 403, 404, a redirect: the run stops at once, the report lists the ids not deleted)
  130  stopped by SIGINT (143: SIGTERM); the report is printed
`;

export function deleteCommand(
  program: Command,
  action: (ids: string[], flags: DeleteFlags) => void,
): Command {
  return program
    .command("delete")
    .description(
      "Delete the custom data of the given users in every app of BATCH_API_KEY, with BATCH_REST_API_KEY.",
    )
    .argument("[ID...]", "user ids; - reads them from stdin (as --file - does)")
    .option("--file <PATH>", "read ids from a file; - reads stdin")
    .addOption(
      new Option(
        "--format <FORMAT>",
        "format of the input (default: from the extension, else lines)",
      ).choices(ID_FORMATS as string[]),
    )
    .option("--column <NAME|INDEX>", "csv: the id column, by header name or 0-based index")
    .option("--header", "csv: the first row is a header (implied by a column name)")
    .option("--delimiter <CHAR>", "csv: field delimiter (default ,)")
    .option("--field <NAME>", 'ndjson: the field holding the id (default "id")')
    .option(
      "--concurrency <N>",
      "the most chunks in flight (default 16): a run starts with 4 and finds the pace the server takes, up to N",
      integer("--concurrency", 1, 256),
    )
    .option("--no-adaptive", "keep --concurrency chunks in flight throughout")
    .option(
      "--chunk-size <N>",
      "ids per call (default 10000, the API's maximum)",
      integer("--chunk-size", 1, 10_000),
    )
    .option(
      "--base-url <URL>",
      "API base URL (default BATCH_BASE_URL, else https://api.batch.com/1.0)",
    )
    .option(
      "--timeout <MS>",
      "per-attempt timeout in ms (default 30000)",
      integer("--timeout", 1, 3_600_000),
    )
    .option(
      "--retries <N>",
      "retries of a retryable failure (default 5)",
      integer("--retries", 0, 100),
    )
    .option("--json", "print one JSON report on stdout, nothing else")
    .option("--dry-run", "read and check every id, show the plan; send nothing (no key needed)")
    .option("--resume <JOURNAL>", "record confirmed chunks in JOURNAL; rerun to skip them")
    .option("--no-precheck", "don't read a --file once first to check and count its ids")
    .option(
      "-y, --yes",
      `don't ask before deleting more than ${thousand} ids (required without a terminal)`,
    )
    .addOption(
      new Option("-q, --quiet", "no progress and no notes on stderr (errors still)").conflicts(
        "progress",
      ),
    )
    .option("--progress", "show progress even when stderr is not a terminal (a line every 2 s)")
    .option(
      "--stop-grace <MS>",
      `after a first SIGINT/SIGTERM, how long calls in flight may take before they are aborted (default ${DEFAULT_GRACE_MS})`,
      integer("--stop-grace", 0, 3_600_000),
    )
    .addHelpText("after", DELETE_HELP)
    .action(action);
}
