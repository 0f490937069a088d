// Everything the package adds but the guarded factories, which each entry makes with its own
// way of telling a browser (see index.ts and browser.ts).
export { isBrowserRuntime } from "./detect.js";
export {
  BatchProxyError,
  isBatchProxyError,
  type ProxyErrorBody,
  type ProxyRequestInfo,
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
export type { BrowserClientOptions, BrowserOptIn } from "./guard.js";
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
