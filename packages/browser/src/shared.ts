// Everything the package adds but the guarded factories, which each entry takes its own way
// (see index.ts and browser.ts).
export {
  BatchProxyError,
  isBatchProxyError,
  type ProxyErrorBody,
  RETRY_STATUSES,
} from "./errors.js";
export {
  countFileIds,
  formatOfFile,
  type IdFile,
  idsToFile,
  readFileIds,
  type UploadBody,
  uploadBody,
} from "./files.js";
export {
  type CallOptions,
  type CreatedJob,
  createProxyClient,
  type DeletedMe,
  type JobState,
  type JobToken,
  type PageOptions,
  type ProxyClient,
  type ProxyClientOptions,
  type ProxyJob,
  type ProxyRetryOptions,
  type StartJobOptions,
  type WatchOptions,
} from "./proxy.js";
