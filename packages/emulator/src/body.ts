/**
 * Reading a request body without trusting it: the size cap applies while the stream is read
 * (an oversized or endless upload is cancelled at the cap, never buffered whole), the bytes
 * must be UTF-8, and a bulk body must be a JSON array of 1 to 10,000 non-empty strings.
 */
import type { Refusal } from "./errors.js";

/** The API's documented limit of ids in one bulk call. */
export const MAX_IDS_PER_CALL = 10_000;
/** Mobile SDKs cap a custom user id below 1024 UTF-16 code units. */
export const MAX_ID_LENGTH = 1023;
/**
 * 64 MiB. The largest legal bulk body is 10,000 ids of 1023 UTF-16 code units, each escaped as
 * `\uXXXX` (6 bytes) in the worst case: 10,000 × (1023 × 6 + 3) ≈ 61.4 MB < 67.1 MB.
 */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;

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

/** Reads `request`'s body, stopping (and cancelling the stream) once it exceeds `maxBytes`. */
export async function readBodyCapped(request: Request, maxBytes: number): Promise<BodyRead> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > maxBytes) {
    await request.body?.cancel().catch(() => undefined);
    return { kind: "too-large" };
  }
  const stream = request.body;
  if (stream === null) return { kind: "empty" };
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
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

/** Decodes strict UTF-8 and parses JSON. Invalid UTF-8 or JSON: 400/32. */
export function parseJson(bytes: Uint8Array): JsonParse {
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
  if (anySurrogate.test(id) && loneSurrogate.test(id)) return "holds an unpaired UTF-16 surrogate";
  return undefined;
}

export type IdListParse =
  | { readonly ok: true; readonly ids: readonly string[] }
  | { readonly ok: false; readonly refusal: Refusal };

/** Validates a parsed bulk body in one pass: an array of 1 to `maxIds` valid ids. */
export function validateIdList(value: unknown, maxIds: number, maxLength: number): IdListParse {
  if (!Array.isArray(value)) {
    return malformed(
      'The request body must be a JSON array of user ids, such as ["user1","user2"].',
    );
  }
  if (value.length === 0) {
    return malformed(`The id array is empty: send between 1 and ${maxIds} user ids.`);
  }
  if (value.length > maxIds) {
    return malformed(
      `The id array holds ${value.length} ids: send at most ${maxIds} per call and split the rest into more calls.`,
    );
  }
  for (let i = 0; i < value.length; i++) {
    const problem = idProblem(value[i], maxLength);
    if (problem !== undefined) {
      return malformed(`The user id at position ${i} ${problem}: ids are non-empty strings.`);
    }
  }
  return { ok: true, ids: value as string[] };
}

function malformed(message: string): IdListParse {
  return { ok: false, refusal: { name: "MALFORMED_PARAMETER", message } };
}
