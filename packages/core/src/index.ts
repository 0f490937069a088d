export type { ChunkOutcome, DeleteUsersOptions, Progress } from "./bulk.js";
export type { IdSource } from "./chunk.js";
export { type BatchClient, createClient, type DeleteUserResult } from "./client.js";
export { ERROR_KINDS, type ErrorKind } from "./codes.js";
export { type ClientOptions, DEFAULT_BASE_URL } from "./config.js";
export {
  BatchAbortError,
  BatchApiError,
  BatchDeleteError,
  BatchError,
  BatchNetworkError,
  BatchTimeoutError,
  BatchValidationError,
  type RequestInfo,
} from "./errors.js";
export { idProblem, MAX_ID_LENGTH, MAX_IDS_PER_CALL } from "./ids.js";
export type {
  AppResult,
  DeleteUsersReport,
  ErrorSummary,
  FailureRecord,
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
