/**
 * Bytes (or text) from any runtime's stream, as text chunks. UTF-8 only, and strictly: a
 * Latin-1 or binary file would otherwise turn into wrong ids that get deleted. A leading BOM
 * is dropped.
 */

/**
 * A web `ReadableStream` (a fetch body, `File.stream()`, an R2 object, Deno's `file.readable`)
 * or any (async) iterable of byte or text chunks (a Node stream).
 */
export type ByteSource =
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array | string>
  | Iterable<Uint8Array | string>;

/**
 * Thrown by `texts` for bytes that are not UTF-8. The format readers turn it into an
 * `IdReadError`: they alone know how many lines they have already read, so `newlines` counts
 * only those in the chunk that failed, before the bad byte.
 */
export class Utf8Error extends Error {
  constructor(
    readonly newlines: number,
    readonly truncated: boolean,
  ) {
    super(
      truncated
        ? "the input ends in the middle of a UTF-8 character."
        : "the input is not valid UTF-8 (save the file as UTF-8).",
    );
  }
}

/** Duck-typed, not `instanceof`: a stream from another realm or a polyfill is still a stream. */
export function isReadableStream(value: unknown): value is ReadableStream<Uint8Array> {
  return typeof (value as ReadableStream | null)?.getReader === "function";
}

export function isByteSource(value: unknown): value is ByteSource {
  if (typeof value !== "object" || value === null) return false;
  return isReadableStream(value) || Symbol.asyncIterator in value || Symbol.iterator in value;
}

/** A ReadableStream read through its reader (Safari's streams are not async iterable). */
async function* chunksOf(
  input: ByteSource,
  signal?: AbortSignal,
): AsyncGenerator<Uint8Array | string> {
  if (!isReadableStream(input)) {
    for await (const chunk of input as AsyncIterable<Uint8Array | string>) {
      signal?.throwIfAborted();
      yield chunk;
    }
    return;
  }
  const reader = input.getReader();
  // A pending read of a stalled stream (stdin, a slow upload) ends at once on abort.
  const onAbort = () => reader.cancel(signal?.reason).catch(() => {});
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      signal?.throwIfAborted();
      if (done) return;
      yield value;
    }
  } finally {
    signal?.removeEventListener("abort", onAbort);
    // Stopped early (the consumer left, or an error): release the source now.
    reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

/** The input as text chunks, in order. Throws `Utf8Error` on bytes that are not UTF-8. */
export async function* texts(input: ByteSource, signal?: AbortSignal): AsyncGenerator<string> {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let first = true;
  for await (const chunk of chunksOf(input, signal)) {
    let text: string;
    if (typeof chunk === "string") {
      text = chunk;
    } else {
      try {
        text = decoder.decode(chunk, { stream: true });
      } catch {
        throw new Utf8Error(newlinesBefore(chunk, firstInvalidByte(chunk)), false);
      }
    }
    if (text === "") continue;
    // TextDecoder drops a BOM from bytes; text handed over as strings may still start with one.
    if (first) {
      first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      if (text === "") continue;
    }
    yield text;
  }
  let tail: string;
  try {
    tail = decoder.decode();
  } catch {
    throw new Utf8Error(0, true);
  }
  if (tail !== "") yield tail;
}

function newlinesBefore(bytes: Uint8Array, end: number): number {
  let count = 0;
  for (let i = bytes.indexOf(10); i !== -1 && i < end; i = bytes.indexOf(10, i + 1)) count++;
  return count;
}

/**
 * Where the first invalid UTF-8 sequence starts (only run once decoding has failed, to name the
 * line). A newline byte never occurs inside a multi-byte sequence, so counting them up to here
 * gives the bad byte's line. 0 when the fault lies in bytes carried over from the last chunk.
 */
export function firstInvalidByte(bytes: Uint8Array): number {
  // Skip continuation bytes left over from a sequence that began in the previous chunk.
  let i = 0;
  while (i < bytes.length && i < 3 && (bytes[i]! & 0xc0) === 0x80) i++;
  while (i < bytes.length) {
    const lead = bytes[i]!;
    if (lead < 0x80) {
      i++;
      continue;
    }
    const length = lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : 4;
    if (lead < 0xc2 || lead > 0xf4) return i;
    // The second byte's range rules out overlong forms, surrogates and code points past U+10FFFF.
    const low = lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80;
    const high = lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf;
    for (let k = 1; k < length; k++) {
      if (i + k >= bytes.length) return bytes.length; // cut off at the chunk's end: not invalid yet
      const byte = bytes[i + k]!;
      if (k === 1 ? byte < low || byte > high : (byte & 0xc0) !== 0x80) return i;
    }
    i += length;
  }
  return 0;
}
