/**
 * The `batch-custom-data` command line: commander parses, the commands run, and every
 * failure ends in an exit code (0, 1, 2, 130) with a message that never holds a key.
 */
import { ID_FORMATS, type IdFormat } from "@batch-custom-data/node";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { type DeleteFlags, runDelete, UsageError } from "./delete.js";
import { type EmulatorFlags, parseCors, runEmulator } from "./emulator.js";
import {
  createPrinter,
  createRedactor,
  EXIT,
  type Io,
  type Printer,
  secretsFromEnv,
} from "./output.js";
import { createInterruption } from "./signals.js";

export const VERSION = "0.0.0";

function integer(flag: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`${flag} must be a whole number from ${min} to ${max}.`);
    }
    return n;
  };
}

function rate(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !(n >= 0 && n <= 1)) {
    throw new InvalidArgumentError("--fault-rate must be a number from 0 to 1, e.g. 0.1.");
  }
  return n;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export interface Runtime {
  io: Io;
  argv: readonly string[];
  /** Where signals come from (the process); tests may pass their own. */
  proc: Pick<NodeJS.Process, "on" | "off" | "once">;
}

/** Runs the CLI; resolves with the exit code. Never throws. */
export async function main({ io, argv, proc }: Runtime): Promise<number> {
  const json = argv.includes("--json");
  // Keys may come from the environment or (emulator) from flags: both are redacted everywhere.
  const flagKeys: string[] = [];
  argv.forEach((arg, i) => {
    if ((arg === "--api-key" || arg === "--rest-api-key") && argv[i + 1])
      flagKeys.push(argv[i + 1]!);
    const eq = /^--(?:rest-)?api-key=(.+)$/.exec(arg);
    if (eq) flagKeys.push(eq[1]!);
  });
  const print: Printer = createPrinter(
    io,
    createRedactor([...secretsFromEnv(io.env), ...flagKeys.filter((k) => k.length >= 6)]),
  );

  const fail = (code: number, message: string) => {
    print.err(`error: ${message}\n`);
    if (json && code === EXIT.usage) {
      print.out(
        `${JSON.stringify({ ok: false, exitCode: code, error: { name: "UsageError", message } })}\n`,
      );
    }
    return code;
  };

  let result: Promise<number> = Promise.resolve(EXIT.ok);
  const program = new Command("batch-custom-data")
    .description(
      "Delete users' custom data through Batch's Custom Data API, or serve a local emulator.",
    )
    .version(VERSION)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => print.out(text),
      writeErr: (text) => print.err(text),
      // Errors are printed once, by `fail`, with the JSON report when --json is given.
      outputError: () => {},
    });

  program
    .command("delete")
    .description(
      "Delete the custom data of the given users in every app of BATCH_API_KEY (comma-separated), with BATCH_REST_API_KEY.",
    )
    .argument("[ID...]", "user ids (or use --file)")
    .option("--file <PATH>", "read ids from a file; - reads stdin")
    .addOption(
      new Option(
        "--format <FORMAT>",
        "format of --file (default: from the extension, else lines)",
      ).choices(ID_FORMATS as string[]),
    )
    .option("--column <NAME|INDEX>", "csv: the id column, by header name or 0-based index")
    .option("--header", "csv: the first row is a header (implied by a column name)")
    .option("--delimiter <CHAR>", "csv: field delimiter (default ,)")
    .option("--field <NAME>", 'ndjson: the field holding the id (default "id")')
    .option(
      "--concurrency <N>",
      "chunks in flight at once (default 4)",
      integer("--concurrency", 1, 256),
    )
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
    .option("--dry-run", "check every id and show the plan; send nothing")
    .option("--resume <JOURNAL>", "record confirmed chunks in JOURNAL; rerun to skip them")
    .option("--no-precheck", "don't read --file once first to check and count the ids")
    .action((ids: string[], options: DeleteFlags & { format?: IdFormat }) => {
      result = (async () => {
        const stop = createInterruption(proc, (message) => print.err(message));
        try {
          return await runDelete(ids, options, io, print, stop);
        } finally {
          stop.dispose();
        }
      })();
    });

  program
    .command("emulator")
    .description(
      "Serve the Batch Custom Data API emulator on 127.0.0.1 (for trials, demos and tests).",
    )
    .option("--port <PORT>", "port (0 picks a free one)", integer("--port", 0, 65_535), 8787)
    .option(
      "--api-key <KEY>",
      "an app's API key (repeatable; default: a made-up one, printed)",
      collect,
      [],
    )
    .option("--rest-api-key <KEY>", "the REST API key (default: a made-up one, printed)")
    .option(
      "--processing-delay <MS>",
      "delay before a deletion is processed (default 10)",
      integer("--processing-delay", 0, 3_600_000),
    )
    .option("--fault-rate <R>", "share of requests that fail (0 to 1)", rate)
    .option("--faults <LIST>", "faults to inject: 500,503,429,502,reset,hang (default 500,503,429)")
    .option("--latency <MS>", "added to every request", integer("--latency", 0, 600_000))
    .option(
      "--seed <N>",
      "seed of the fault generator (replays a run)",
      integer("--seed", 0, 2 ** 32 - 1),
    )
    .option(
      "--users <N>",
      "seed users user-1 … user-N with custom data in each app",
      integer("--users", 0, 10_000_000),
    )
    .option(
      "--cors <ORIGINS>",
      "answer CORS for these origins (comma-separated, e.g. http://127.0.0.1:5173; * for any)",
      parseCors,
    )
    .option(
      "--rate-limit <CALLS_PER_S>",
      "answer 429 with Retry-After once calls exceed this rate (e.g. 50, or 0.5)",
      (value: string) => {
        const n = Number(value);
        if (value.trim() === "" || !Number.isFinite(n) || n <= 0 || n > 1_000_000) {
          throw new InvalidArgumentError(
            "--rate-limit must be a number of calls per second above 0, e.g. 50 or 0.5.",
          );
        }
        return n;
      },
    )
    .option(
      "--rate-burst <N>",
      "calls let through at once before the rate applies (default: one second's worth)",
      integer("--rate-burst", 1, 1_000_000),
    )
    .action((options: EmulatorFlags) => {
      result = runEmulator(options, print, proc);
    });

  let code: number;
  try {
    await program.parseAsync([...argv], { from: "user" });
    code = await result;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit 0; a parse error is a usage error.
      if (error.exitCode === 0) code = EXIT.ok;
      else if (error.code === "commander.help")
        code = EXIT.usage; // no command: help shown
      else {
        const message = error.message.replace(/^error: /, "");
        code = fail(EXIT.usage, `${message} (see batch-custom-data --help)`);
      }
    } else if (error instanceof UsageError) {
      code = fail(EXIT.usage, error.message);
    } else {
      // A bug or an I/O failure: say what it was (redacted), and that nothing is known to be done.
      code = fail(EXIT.failed, `${(error as Error)?.message ?? error}`);
    }
  }
  await print.flush();
  return code;
}
