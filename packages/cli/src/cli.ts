#!/usr/bin/env node
/** The `batch-custom-data` bin. */
import { readRawArgs } from "./argv.js";
import { main } from "./program.js";

const argv = process.argv.slice(2);
const rawArgv = readRawArgs(argv.length);
const code = await main({ io: process, argv, rawArgv, proc: process });
// Exit now: a stdin still open or a keep-alive socket must not hold the process.
process.exit(code);
