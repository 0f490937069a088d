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
  branded,
} from "./errors.js";

/**
 * The type guard for `Class`: true for its instances (subclasses included) made by this copy of
 * the package, another copy, or another realm. Tells our errors from look-alikes by `name`.
 * `Class` is one of ours or a subclass with its own static `kind` (a unique name): how another
 * package (`@batch-custom-data/browser`'s `isBatchProxyError`) makes guards for its errors.
 */
export function guardOf<T extends BatchError>(
  Class: (abstract new (...args: never) => T) & { readonly kind: string },
): (value: unknown) => value is T {
  return (value): value is T => value instanceof Class || branded(value, Class.kind);
}

export const isBatchError = /* @__PURE__ */ guardOf(BatchError);
export const isBatchApiError = /* @__PURE__ */ guardOf(BatchApiError);
export const isBatchNetworkError = /* @__PURE__ */ guardOf(BatchNetworkError);
export const isBatchTimeoutError = /* @__PURE__ */ guardOf(BatchTimeoutError);
export const isBatchAbortError = /* @__PURE__ */ guardOf(BatchAbortError);
export const isBatchValidationError = /* @__PURE__ */ guardOf(BatchValidationError);
export const isBatchDeleteError = /* @__PURE__ */ guardOf(BatchDeleteError);
export const isBatchHookError = /* @__PURE__ */ guardOf(BatchHookError);
export const isBatchSourceError = /* @__PURE__ */ guardOf(BatchSourceError);
