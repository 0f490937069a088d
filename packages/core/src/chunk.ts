import { BatchValidationError } from "./errors.js";
import { assertIds } from "./ids.js";

/** A string is iterable, but its letters are never a list of ids: refused at compile time too. */
type NotText = { readonly charAt?: never };

/**
 * What `deleteUsers` accepts: ids in memory, or streamed from anywhere. A streamed source may
 * hand ids on one by one or in batches (arrays, as `readIds` does), so a file of millions costs
 * an `await` per batch, not per id. A plain array holds ids only.
 */
export type IdSource = (
  | readonly string[]
  | Iterable<string | readonly string[]>
  | AsyncIterable<string | readonly string[]>
) &
  NotText;

/**
 * Rejects what is not a list of ids before anything is sent: a string or a `String` object
 * (deleting its letters one by one is never what the caller meant), anything not iterable.
 * Arrays are checked whole, so an invalid id in one sends nothing at all.
 */
export function assertIdSource(ids: unknown): asserts ids is IdSource {
  const text = typeof ids === "string" || Object.prototype.toString.call(ids) === "[object String]";
  if (
    text ||
    typeof ids !== "object" ||
    !ids ||
    !(Symbol.iterator in ids || Symbol.asyncIterator in ids)
  ) {
    throw new BatchValidationError(
      `deleteUsers takes an array or (async) iterable of ids, not ${text ? "a string: for one id, pass [id] or call deleteUser" : typeof ids}.`,
    );
  }
  if (Array.isArray(ids)) assertIds(ids);
}

/** The ids of a source, in chunks, read only as chunks are asked for. */
export interface Chunks {
  /**
   * The next chunk (at most `size` ids, in input order), or undefined at the end of the input
   * or once closed. Calls are queued: the source is read by one caller at a time.
   */
  next(): Promise<string[] | undefined>;
  /**
   * Ids read that no chunk holds (a failure or a stop came mid-chunk) and an array's ids not
   * read yet, in order: every id read must end in the report. Takes them: a second call, or an
   * id the source hands over later, gives nothing.
   */
  rest(): string[];
  /** Reads no more: a pending `next` ends at once (undefined), the source is released. */
  close(): void;
  /** Whether every id of the input was read (or, for an array, is in memory to report). */
  readonly complete: boolean;
}

/** Chunks of at most `size` ids from any source: memory holds the chunks being sent. */
export function chunks(ids: IdSource, size: number): Chunks {
  return Array.isArray(ids) ? arrayChunks(ids as readonly string[], size) : streamChunks(ids, size);
}

/** An array is sliced, never copied id by id. */
function arrayChunks(ids: readonly string[], size: number): Chunks {
  let at = 0;
  let closed = false;
  return {
    next: async () => {
      if (closed || at >= ids.length) return undefined;
      at += size;
      return ids.slice(at - size, at);
    },
    rest: () => {
      const rest = ids.slice(at);
      at = ids.length;
      return rest;
    },
    close: () => {
      closed = true;
    },
    complete: true,
  };
}

/**
 * A sync iterable is read in a plain loop (no `await` per id); an async one is awaited per
 * item, where an item may be a whole batch. `close` ends a wait for a chunk at once, even on a
 * source that stalls; an item the source still hands over then joins `rest`, unless `rest`
 * has been taken already.
 */
function streamChunks(
  ids: Iterable<string | readonly string[]> | AsyncIterable<string | readonly string[]>,
  size: number,
): Chunks {
  const sync = !(Symbol.asyncIterator in ids);
  const iterator = sync
    ? (ids as Iterable<unknown>)[Symbol.iterator]()
    : (ids as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  let chunk: string[] = []; // ids read, in no chunk yet
  let batch: readonly string[] = []; // a batch being split over chunks, from `from` on
  let from = 0;
  let state: "reading" | "ended" | "failed" | "closed" = "reading";
  let taken = false;
  let queue: Promise<unknown> = Promise.resolve();
  /** Ends the callers waiting for a chunk, at `close`. */
  const waiting = new Set<() => void>();
  // A function, not a narrowed variable: `close` may change the state while a read awaits.
  const closed = () => state === "closed";

  const handOut = () => {
    const full = chunk;
    chunk = [];
    return full;
  };

  const pull = async (): Promise<string[] | undefined> => {
    for (;;) {
      if (state === "closed" || state === "failed") return undefined;
      if (from < batch.length) {
        const take = Math.min(size - chunk.length, batch.length - from);
        for (let k = 0; k < take; k++) chunk.push(batch[from + k]!);
        from += take;
        if (chunk.length === size) return handOut();
        continue;
      }
      if (state === "ended") return chunk.length > 0 ? handOut() : undefined;
      let next: IteratorResult<unknown>;
      try {
        next = sync
          ? (iterator as Iterator<unknown>).next()
          : await (iterator as AsyncIterator<unknown>).next();
      } catch (error) {
        // What was read before stays in `chunk` for `rest`; nothing more is handed out.
        if (state === "reading") state = "failed";
        throw error;
      }
      if (next.done) {
        if (state === "reading") state = "ended";
        continue;
      }
      if (taken) return undefined; // the report is made: the run is over
      if (Array.isArray(next.value)) {
        batch = next.value;
        from = 0;
      } else if (chunk.push(next.value as string) === size && !closed()) {
        return handOut();
      }
      // Read after `close` (its read was in progress): kept for `rest`, and no more is read.
      if (closed()) return undefined;
    }
  };

  return {
    next() {
      const result = queue.then(pull);
      // The queue keeps no chunk alive: it holds only whether the last pull has settled.
      queue = result.then(
        () => {},
        () => {},
      );
      return new Promise((resolve, reject) => {
        const wake = () => resolve(undefined);
        waiting.add(wake);
        result.then(resolve, reject).finally(() => waiting.delete(wake));
      });
    },
    rest() {
      taken = true;
      const rest = [...chunk, ...batch.slice(from)];
      chunk = [];
      batch = [];
      return rest;
    },
    close() {
      if (state !== "reading") return;
      state = "closed";
      for (const wake of waiting) wake();
      // An async generator queues this behind a read in progress; a Node stream ends at once.
      Promise.resolve()
        .then(() => iterator.return?.())
        .catch(() => {});
    },
    get complete() {
      return state === "ended";
    },
  };
}
