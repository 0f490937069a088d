/**
 * Type guards that work where `instanceof` does not: across two copies of this package (an
 * app's ESM import beside a dependency's CJS require) and across realms (a vm context, an
 * iframe). Each checks `instanceof` first, then the brand every class puts on its prototype
 * (`errors.ts`), so a look-alike with the same `name` does not pass.
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
  branded,
} from "./errors.js";

export const isBatchError = (value: unknown): value is BatchError =>
  value instanceof BatchError || branded(value, "BatchError");

export const isBatchApiError = (value: unknown): value is BatchApiError =>
  value instanceof BatchApiError || branded(value, "BatchApiError");

export const isBatchNetworkError = (value: unknown): value is BatchNetworkError =>
  value instanceof BatchNetworkError || branded(value, "BatchNetworkError");

export const isBatchTimeoutError = (value: unknown): value is BatchTimeoutError =>
  value instanceof BatchTimeoutError || branded(value, "BatchTimeoutError");

export const isBatchAbortError = (value: unknown): value is BatchAbortError =>
  value instanceof BatchAbortError || branded(value, "BatchAbortError");

export const isBatchValidationError = (value: unknown): value is BatchValidationError =>
  value instanceof BatchValidationError || branded(value, "BatchValidationError");

export const isBatchDeleteError = (value: unknown): value is BatchDeleteError =>
  value instanceof BatchDeleteError || branded(value, "BatchDeleteError");

export const isBatchHookError = (value: unknown): value is BatchHookError =>
  value instanceof BatchHookError || branded(value, "BatchHookError");

export const isBatchSourceError = (value: unknown): value is BatchSourceError =>
  value instanceof BatchSourceError || branded(value, "BatchSourceError");
