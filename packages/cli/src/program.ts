/**
 * The `batch-custom-data` command line: commander parses, the commands run, and every
 * failure ends in an exit code (0, 1, 2, 130, 143) with a message that never holds a key.
 */
import { createRequire } from "node:module";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { assertUtf8Args } from "./argv.js";
import { deleteCommand, integer } from "./delete/command.js";
import { json } from "./delete/render.js";
import { runDelete } from "./delete.js";
import { type EmulatorFlags, runEmulator } from "./emulator.js";
import {
  createPrinter,
  createRedactor,
  EXIT,
  type Io,
  type Printer,
  secretsFromEnv,
} from "./output.js";
import { createInterruption } from "./signals.js";
import { CliError } from "./usage.js";

/** The installed package's version (`changeset version` sets it; dist/ and src/ sit beside it). */
export const VERSION: string = createRequire(import.meta.url)("../package.json").version;

function rate(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !(n >= 0 && n <= 1)) {
    throw new InvalidArgumentError("--fault-rate must be a number from 0 to 1, e.g. 0.1.");
  }
  return n;
}

const collect = (value: string, previous: string[]) => [...previous, value];

const PROGRAM_HELP = `
Examples:
  $ batch-custom-data delete --file ids.txt --resume ids.journal
  $ batch-custom-data delete --help
  $ batch-custom-data emulator --port 8787

Each command's --help lists its options, the environment variables it reads and its exit codes.
`;

const EMULATOR_HELP = `
Examples:
  $ batch-custom-data emulator                     # made-up keys, printed with a curl line
  $ batch-custom-data emulator --port 0 --users 1000 --fault-rate 0.1 --seed 7

Environment: none read (keys are given with --api-key and --rest-api-key, or made up).

Exit codes:
  0    stopped by SIGINT or SIGTERM
  2    usage error, or the port is in use
`;

export interface Runtime {
  io: Io;
  argv: readonly string[];
  /** The bytes of `argv` as the process got them, where the platform tells (argv.ts). */
  rawArgv?: readonly Uint8Array[];
  /** Where signals come from (the process); tests may pass their own. */
  proc: Pick<NodeJS.Process, "on" | "off" | "once">;
}

/** Runs the CLI; resolves with the exit code. Never throws. */
export async function main({ io, argv, rawArgv, proc }: Runtime): Promise<number> {
  const wantsJson = argv.includes("--json");
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

  const fail = (code: number, name: string, message: string) => {
    print.err(`error: ${message}\n`);
    if (wantsJson) {
      const interrupted = code === EXIT.interrupted || code === EXIT.terminated;
      print.out(
        json(
          {
            ok: false,
            exitCode: code,
            ...(interrupted && { interrupted }),
            error: { name, message },
          },
          print.redact,
        ),
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
    })
    .addHelpText("after", PROGRAM_HELP);

  deleteCommand(program, (ids, flags) => {
    result = (async () => {
      const stop = createInterruption({
        proc,
        graceMs: flags.stopGrace,
        notify: (message) => print.err(message),
      });
      try {
        return await runDelete(ids, flags, { io, print, stop });
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
    .addOption(
      new Option("--api-key <KEY>", "an app's API key (repeatable)")
        .argParser(collect)
        .default([], "a made-up one, printed"),
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
    .addHelpText("after", EMULATOR_HELP)
    .action((options: EmulatorFlags) => {
      result = runEmulator(options, print, proc);
    });

  let code: number;
  try {
    assertUtf8Args(argv, rawArgv);
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
        code = fail(EXIT.usage, "UsageError", `${message} (see batch-custom-data --help)`);
      }
    } else if (error instanceof CliError) {
      code = fail(error.exitCode, error.name, error.message);
    } else {
      // A bug or an I/O failure: say what it was (redacted), and that nothing is known to be done.
      const { name = "Error", message = String(error) } = Object(error) as Partial<Error>;
      code = fail(EXIT.failed, name, message);
    }
  }
  await print.flush();
  return code;
}
