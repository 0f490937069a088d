/**
 * Reading a request body without trusting it: the size cap applies while the stream is read
 * (an oversized or endless upload is cancelled at the cap, never buffered whole), and JSON is
 * parsed only once its nesting is known to be shallow. (The bulk body of Batch's route is not
 * read here but streamed through `id-stream.ts`.)
 */
import { BODY_TOO_LARGE } from "./context.js";
import type { Refusal } from "./errors.js";

/** The API's documented limit of ids in one bulk call. */
export const MAX_IDS_PER_CALL = 10_000;
/** Mobile SDKs cap a custom user id below 1024 UTF-16 code units. */
export const MAX_ID_LENGTH = 1023;
/**
 * 64 MiB. The largest legal bulk body is 10,000 ids of 1023 UTF-16 code units each written as
 * a `\uXXXX` escape (6 bytes, the longest form JSON has for one code unit), with their quotes
 * and commas: 2 + 10,000 × (1023 × 6 + 2) + 9,999 = 61,410,001 bytes (58.6 MiB) < 64 MiB.
 * Whitespace between ids is legal JSON too, so a body padded with it may exceed the cap.
 */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;

/** The largest bulk body a client may legitimately send (see `DEFAULT_MAX_BODY_BYTES`). */
export const LARGEST_LEGAL_BULK_BODY = 2 + 10_000 * (1023 * 6 + 2) + 9_999;

export type BodyRead =
  | { readonly kind: "bytes"; readonly bytes: Uint8Array }
  | { readonly kind: "empty" }
  | { readonly kind: "too-large" };

export function tooLargeRefusal(maxBytes: number): Refusal {
  return {
    name: "MALFORMED_PARAMETER",
    status: 413,
    message: `The request body is larger than ${maxBytes} bytes: send at most 10,000 ids per call.`,
  };
}

/** Whether `request` announces a body over `maxBytes` (so it can be refused unread). */
export function declaredTooLarge(request: Request, maxBytes: number): boolean {
  const declared = request.headers.get("content-length");
  return declared !== null && Number(declared) > maxBytes;
}

/**
 * The next chunk of a body, or "too-large" when the transport cut the stream off at its own
 * cap (a `BODY_TOO_LARGE`-branded error). Any other stream error (the client went away) throws.
 */
export async function readChunk(
  reader: ReadableStreamDefaultReader<Uint8Array>,
): Promise<ReadableStreamReadResult<Uint8Array> | "too-large"> {
  try {
    return await reader.read();
  } catch (error) {
    if (typeof error === "object" && error !== null && BODY_TOO_LARGE in error) return "too-large";
    throw error;
  }
}

/** Reads `request`'s body, stopping (and cancelling the stream) once it exceeds `maxBytes`. */
export async function readBodyCapped(request: Request, maxBytes: number): Promise<BodyRead> {
  if (declaredTooLarge(request, maxBytes)) return { kind: "too-large" };
  const stream = request.body;
  if (stream === null) return { kind: "empty" };
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const next = await readChunk(reader);
    if (next === "too-large") return { kind: "too-large" };
    const { done, value } = next;
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return { kind: "too-large" };
    }
    chunks.push(value);
  }
  if (total === 0) return { kind: "empty" };
  if (chunks.length === 1) return { kind: "bytes", bytes: chunks[0]! };
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { kind: "bytes", bytes };
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

export type JsonParse =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly refusal: Refusal };

/** Deepest nesting `parseJson` lets through to `JSON.parse` (the admin bodies need 3). */
export const MAX_JSON_DEPTH = 32;

/**
 * Whether `bytes` nest arrays and objects deeper than `max` (strings skipped). A linear scan
 * that allocates nothing, so `JSON.parse` never sees 64 MiB of `[`.
 */
export function nestedDeeperThan(bytes: Uint8Array, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (inString) {
      if (b === 0x5c) i++;
      else if (b === 0x22) inString = false;
    } else if (b === 0x22) inString = true;
    else if (b === 0x5b || b === 0x7b) {
      if (++depth > max) return true;
    } else if (b === 0x5d || b === 0x7d) depth--;
  }
  return false;
}

/** Decodes strict UTF-8 and parses JSON. Invalid UTF-8 or JSON: 400/32; nested too deep: 400/31. */
export function parseJson(bytes: Uint8Array): JsonParse {
  if (nestedDeeperThan(bytes, MAX_JSON_DEPTH)) {
    return {
      ok: false,
      refusal: {
        name: "MALFORMED_PARAMETER",
        message: `The request body nests deeper than ${MAX_JSON_DEPTH} levels: send flat JSON.`,
      },
    };
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return {
      ok: false,
      refusal: { name: "MALFORMED_JSON_BODY", message: "The request body is not valid UTF-8." },
    };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    // A parser that gives up on nesting depth (RangeError) saw JSON, just not an id list.
    if (error instanceof SyntaxError) {
      return {
        ok: false,
        refusal: {
          name: "MALFORMED_JSON_BODY",
          message:
            'The request body is not valid JSON: send a JSON array such as ["user1","user2"].',
        },
      };
    }
    return {
      ok: false,
      refusal: {
        name: "MALFORMED_PARAMETER",
        message: "The request body is nested too deeply: send a flat JSON array of user ids.",
      },
    };
  }
}

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const anySurrogate = /[\uD800-\uDFFF]/;

/** Why `id` is not a user id, or `undefined` when it is one. Never quotes the id. */
export function idProblem(id: unknown, maxLength: number): string | undefined {
  if (typeof id !== "string")
    return `is ${id === null ? "null" : Array.isArray(id) ? "an array" : typeof id}, not a string`;
  if (id.length === 0) return "is an empty string";
  if (id.length > maxLength) return `is ${id.length} characters long (at most ${maxLength})`;
  if (hasLoneSurrogate(id)) return "holds an unpaired UTF-16 surrogate";
  return undefined;
}

/** Whether `text` holds a UTF-16 surrogate without its pair (not valid Unicode). */
export function hasLoneSurrogate(text: string): boolean {
  return anySurrogate.test(text) && loneSurrogate.test(text);
}
