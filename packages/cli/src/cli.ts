#!/usr/bin/env node
/** The `batch-custom-data` bin. */
import { main } from "./program.js";

const code = await main({ io: process, argv: process.argv.slice(2), proc: process });
// Exit now: a stdin still open or a keep-alive socket must not hold the process.
process.exit(code);
