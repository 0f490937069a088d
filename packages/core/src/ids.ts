import { BatchValidationError } from "./errors.js";

/** Mobile SDKs cap a custom user id below 1024 UTF-16 code units (Java/NSString length). */
export const MAX_ID_LENGTH = 1023;
/** The API's documented limit of ids in one bulk call. */
export const MAX_IDS_PER_CALL = 10_000;

/** Why `id` can't be sent, or `undefined` when it can. The id is never trimmed or rewritten. */
export function idProblem(id: unknown): string | undefined {
  if (typeof id !== "string") return `is ${id === null ? "null" : typeof id}, not a string`;
  if (id.length === 0) return "is empty";
  if (id.length > MAX_ID_LENGTH)
    return `is ${id.length} characters long (at most ${MAX_ID_LENGTH})`;
  // An unpaired surrogate has no UTF-8 form: it can't travel in a URL, nor come back from JSON.
  if (!id.isWellFormed()) return "holds an unpaired UTF-16 surrogate (not valid Unicode)";
  return undefined;
}

/** Throws a validation error naming the id's position and what to fix. */
export function assertId(id: unknown, position?: number): asserts id is string {
  const problem = idProblem(id);
  if (problem === undefined) return;
  const where = position === undefined ? "The user id" : `The user id at position ${position}`;
  throw new BatchValidationError(
    `${where} ${problem}: ids are non-empty strings of valid Unicode, 1 to ${MAX_ID_LENGTH} characters, sent exactly as given.`,
  );
}

/** Checks a list of ids; `first` is the position of `ids[0]` in the whole input. */
export function assertIds(ids: readonly unknown[], first = 0): void {
  // An indexed loop with the common case inline: this runs once per id of every input. It
  // visits holes too (`ids[i]` is undefined there), which forEach would skip.
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    const fine =
      typeof id === "string" && id.length > 0 && id.length <= MAX_ID_LENGTH && id.isWellFormed();
    if (!fine) assertId(id, first + i);
  }
}

/**
 * Percent-encodes an id as one path segment. `encodeURIComponent` escapes `/ ? # %`, spaces and
 * non-ASCII. `.` and `..` stay special even escaped (`%2E%2E` is still "go up" to a WHATWG URL
 * parser), so callers send those two through the bulk route instead; see `needsBulkRoute`.
 */
export function encodeId(id: string): string {
  return encodeURIComponent(id);
}

/** `.` and `..` would be resolved away by every URL parser, `fetch`'s included. */
export function needsBulkRoute(id: string): boolean {
  return id === "." || id === "..";
}
