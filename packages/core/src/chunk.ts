import { BatchValidationError } from "./errors.js";
import { assertIds } from "./ids.js";

/**
 * What `deleteUsers` accepts: ids in memory, or streamed from anywhere. A streamed source may
 * hand ids on one by one or in batches (arrays, as `readIds` does), so a file of millions costs
 * an `await` per batch, not per id. A plain array holds ids only.
 */
export type IdSource =
  | readonly string[]
  | Iterable<string | readonly string[]>
  | AsyncIterable<string | readonly string[]>;

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
 * Nothing here awaits per id: an array is sliced, a sync iterable read in a plain loop, and an
 * async one awaited per item, where an item may be a whole batch.
 */
export async function* chunks(ids: IdSource, size: number): AsyncGenerator<string[]> {
  if (Array.isArray(ids)) {
    for (let start = 0; start < ids.length; start += size) yield ids.slice(start, start + size);
    return;
  }
  let chunk: string[] = [];
  const items = ids as
    | Iterable<string | readonly string[]>
    | AsyncIterable<string | readonly string[]>;
  // One loop body for both kinds of iterable; `for await` on a sync iterable would await each id.
  const iterator =
    Symbol.asyncIterator in items ? items[Symbol.asyncIterator]() : items[Symbol.iterator]();
  const sync = !(Symbol.asyncIterator in items);
  let finished = false;
  try {
    for (;;) {
      const next = sync
        ? (iterator as Iterator<string | readonly string[]>).next()
        : await (iterator as AsyncIterator<string | readonly string[]>).next();
      if (next.done) {
        finished = true;
        break;
      }
      const item = next.value;
      if (!Array.isArray(item)) {
        // A string, or anything else: validation names what is wrong with it and where.
        if (chunk.push(item as string) === size) {
          yield chunk;
          chunk = [];
        }
        continue;
      }
      for (let from = 0; from < item.length; ) {
        const take = Math.min(size - chunk.length, item.length - from);
        for (let k = 0; k < take; k++) chunk.push(item[from + k]);
        from += take;
        if (chunk.length === size) {
          yield chunk;
          chunk = [];
        }
      }
    }
  } finally {
    // Left early (a halt, an abort, a bad id): the source is closed so its file or socket goes.
    if (!finished) await iterator.return?.();
  }
  if (chunk.length > 0) yield chunk;
}
