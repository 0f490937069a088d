#!/usr/bin/env node
/** The `batch-custom-data` bin. */
import { readRawArgs } from "./argv.js";
import { main } from "./program.js";

// A reader that goes away (`| head`, `| true`) closes the pipe: what is left to print has
// nowhere to go, but the run must end as it would (calls settled, journal written, exit code)
// rather than crash on EPIPE with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
  });
}

const argv = process.argv.slice(2);
const rawArgv = readRawArgs(argv.length);
const code = await main({ io: process, argv, rawArgv, proc: process });
// Exit now: a stdin still open or a keep-alive socket must not hold the process.
process.exit(code);
