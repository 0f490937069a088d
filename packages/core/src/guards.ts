/**
 * Type guards that work where `instanceof` does not: across two copies of this package (an
 * app's ESM import beside a dependency's CJS require) and across realms (a vm context, an
 * iframe). Each checks `instanceof` first, then the brand every error carries (`errors.ts`),
 * so a look-alike with the same `name` does not pass.
 */
import {
  BatchAbortError,
  BatchApiError,
  BatchDeleteError,
  BatchError,
  BatchHookError,
  BatchNetworkError,
  BatchSourceError,
  BatchTimeoutError,
  BatchValidationError,
  guardOf,
} from "./errors.js";

export const isBatchError = /* @__PURE__ */ guardOf(BatchError);
export const isBatchApiError = /* @__PURE__ */ guardOf(BatchApiError);
export const isBatchNetworkError = /* @__PURE__ */ guardOf(BatchNetworkError);
export const isBatchTimeoutError = /* @__PURE__ */ guardOf(BatchTimeoutError);
export const isBatchAbortError = /* @__PURE__ */ guardOf(BatchAbortError);
export const isBatchValidationError = /* @__PURE__ */ guardOf(BatchValidationError);
export const isBatchDeleteError = /* @__PURE__ */ guardOf(BatchDeleteError);
export const isBatchHookError = /* @__PURE__ */ guardOf(BatchHookError);
export const isBatchSourceError = /* @__PURE__ */ guardOf(BatchSourceError);
