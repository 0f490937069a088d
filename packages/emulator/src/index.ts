/**
 * @batch-custom-data/emulator: a local emulator of Batch's Custom Data DELETE API as a
 * web-standard fetch handler. No Node built-ins: runs on Node, Deno, workerd and in browsers.
 * The Node HTTP server is in `@batch-custom-data/emulator/node`.
 */
export { timingSafeEqual } from "./auth.js";
export {
  DEFAULT_MAX_BODY_BYTES,
  LARGEST_LEGAL_BULK_BODY,
  MAX_ID_LENGTH,
  MAX_IDS_PER_CALL,
} from "./body.js";
export type { EmulatorStats, HandleContext } from "./context.js";
export type { CorsOption } from "./cors.js";
export {
  createEmulator,
  type Emulator,
  type EmulatorOptions,
  type FetchInput,
} from "./emulator.js";
export { ERRORS, type ErrorBody, type ErrorName } from "./errors.js";
export {
  FAULT_KINDS,
  type FailNext,
  type FaultConfig,
  type FaultKind,
  type Instant,
} from "./faults.js";
export type { RequestLogEntry } from "./log.js";
export type { RateLimit } from "./rate-limit.js";
export type { SeedOptions, TransactionInfo, TransactionStatus } from "./state.js";
export type { TimelineSecond } from "./timeline.js";
