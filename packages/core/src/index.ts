export { isBrowserRuntime, refuseInBrowser } from "./browser.js";
export type { ChunkOutcome, DeleteUsersOptions, Progress } from "./bulk.js";
export type { IdSource } from "./chunk.js";
export { type BatchClient, createClient, type DeleteUserResult } from "./client.js";
export { type BatchErrorName, ERROR_KINDS, ERROR_TABLE, type ErrorKind } from "./codes.js";
export {
  type ClientOptions,
  DEFAULT_BASE_URL,
  DEFAULT_MAX_CONSECUTIVE_FAILURES,
} from "./config.js";
export {
  BatchAbortError,
  BatchApiError,
  type BatchApiErrorOptions,
  BatchDeleteError,
  BatchError,
  type BatchErrorOptions,
  BatchHookError,
  BatchNetworkError,
  type BatchRequestInfo,
  BatchSourceError,
  BatchTimeoutError,
  BatchValidationError,
  type HookName,
  type ValidationFault,
} from "./errors.js";
export {
  guardOf,
  isBatchAbortError,
  isBatchApiError,
  isBatchDeleteError,
  isBatchError,
  isBatchHookError,
  isBatchNetworkError,
  isBatchSourceError,
  isBatchTimeoutError,
  isBatchValidationError,
} from "./guards.js";
export { idProblem, MAX_ID_LENGTH, MAX_IDS_PER_CALL } from "./ids.js";
export type {
  AppResult,
  DeleteUsersReport,
  ErrorSummary,
  FailureRecord,
  StoppedBy,
  StopReason,
  TokenRecord,
} from "./report.js";
export {
  buildDeleteUserRequest,
  buildDeleteUsersRequest,
  type DeleteRequest,
  type RequestTarget,
} from "./request.js";
export type { RetryOptions } from "./retry.js";
export type { FetchLike } from "./send.js";
export { HALT_STATUSES } from "./stop.js";
