import { BatchValidationError } from "./errors.js";
import { assertIds } from "./ids.js";

/** What `deleteUsers` accepts: ids in memory, or streamed from anywhere. */
export type IdSource = Iterable<string> | AsyncIterable<string>;

/**
 * Rejects what is not a list of ids before anything is sent. A string is iterable, but
 * deleting its letters one by one is never what the caller meant. Arrays are checked whole,
 * so an invalid id in one sends nothing at all.
 */
export function assertIdSource(ids: unknown): asserts ids is IdSource {
  if (typeof ids !== "object" || !ids || !(Symbol.iterator in ids || Symbol.asyncIterator in ids)) {
    throw new BatchValidationError(
      `deleteUsers takes an array or (async) iterable of ids, not ${typeof ids === "string" ? "a string: for one id, pass [id] or call deleteUser" : typeof ids}.`,
    );
  }
  if (Array.isArray(ids)) assertIds(ids);
}

/**
 * Groups ids into chunks of at most `size`, in order, pulling from the source only as chunks
 * are consumed: memory holds the chunks being sent, whatever the input's length. Being an
 * async generator, it also queues concurrent pulls, so a source is read by one caller at a time.
 * Arrays and other sync iterables are read without an await per id: a million awaits is most
 * of what the SDK would otherwise add over a raw fetch loop.
 */
export async function* chunks(ids: IdSource, size: number): AsyncGenerator<string[]> {
  let chunk: string[] = [];
  if (Symbol.asyncIterator in ids) {
    for await (const id of ids) {
      if (chunk.push(id) === size) {
        yield chunk;
        chunk = [];
      }
    }
  } else {
    for (const id of ids) {
      if (chunk.push(id) === size) {
        yield chunk;
        chunk = [];
      }
    }
  }
  if (chunk.length > 0) yield chunk;
}
