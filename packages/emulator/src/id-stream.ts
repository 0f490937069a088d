/**
 * The bulk body, parsed as it streams in: a byte-level tokenizer for exactly one shape, a flat
 * JSON array of strings. It holds one id at a time (at most 6 bytes per UTF-16 code unit of
 * the longest id) plus the ids accepted so far, and refuses the body at the first byte that
 * makes it wrong: a nested array, a number, the 10,001st id, the 1,024th code unit of an id,
 * a byte that is not JSON. So a hostile body costs a bounded prefix of reading, never a
 * buffer of the whole body nor a parse of it (64 MiB of `[` is refused at its second byte).
 */
import { hasLoneSurrogate, readChunk } from "./body.js";
import type { Refusal } from "./errors.js";

export interface IdListLimits {
  /** Bytes the body may hold in all. */
  readonly maxBytes: number;
  /** Ids one call may hold (the API's 10,000). */
  readonly maxIds: number;
  /** Longest id, in UTF-16 code units. */
  readonly maxIdLength: number;
}

export type IdListRead =
  | { readonly kind: "ids"; readonly ids: string[] }
  | { readonly kind: "empty" }
  | { readonly kind: "too-large" }
  /** `elements`: array elements met, the refused one included (for the request log). */
  | { readonly kind: "refused"; readonly refusal: Refusal; readonly elements: number };

enum State {
  Start,
  InScalar,
  Bom1,
  Bom2,
  ArrayOpen,
  AfterComma,
  InString,
  AfterValue,
  Done,
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const isWhitespace = (b: number) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

/** Longest scalar read before it is refused anyway: `1` followed by 64 MiB of digits is a number. */
const MAX_SCALAR = 64;

enum Num {
  Sign,
  Zero,
  Int,
  Dot,
  Frac,
  E,
  ESign,
  Exp,
}

const isDigit = (b: number) => b >= 0x30 && b <= 0x39;

/**
 * A JSON number or literal (`true`, `false`, `null`), checked byte by byte: the body is refused
 * as "not a string" (31) only once the value is known to be JSON, else as not JSON (32).
 */
class Scalar {
  readonly kind: string;
  length = 1;
  readonly #literal: string | undefined;
  #num: Num;

  private constructor(kind: string, literal: string | undefined, num: Num) {
    this.kind = kind;
    this.#literal = literal;
    this.#num = num;
  }

  /** The scalar that byte `b` starts, or undefined when `b` starts no JSON scalar. */
  static start(b: number): Scalar | undefined {
    if (b === 0x74) return new Scalar("a boolean", "true", Num.Int);
    if (b === 0x66) return new Scalar("a boolean", "false", Num.Int);
    if (b === 0x6e) return new Scalar("null", "null", Num.Int);
    if (b === 0x2d) return new Scalar("a number", undefined, Num.Sign);
    if (b === 0x30) return new Scalar("a number", undefined, Num.Zero);
    if (isDigit(b)) return new Scalar("a number", undefined, Num.Int);
    return undefined;
  }

  /** Takes the next byte; false when the value is not JSON any more. */
  step(b: number): boolean {
    const literal = this.#literal;
    if (literal !== undefined) {
      if (this.length >= literal.length || b !== literal.charCodeAt(this.length)) return false;
      this.length++;
      return true;
    }
    this.length++;
    switch (this.#num) {
      case Num.Sign:
        this.#num = b === 0x30 ? Num.Zero : Num.Int;
        return isDigit(b);
      case Num.Zero:
      case Num.Int:
      case Num.Frac:
        if (isDigit(b) && this.#num !== Num.Zero) return true;
        if (b === 0x2e && this.#num !== Num.Frac) {
          this.#num = Num.Dot;
          return true;
        }
        if (b === 0x65 || b === 0x45) {
          this.#num = Num.E;
          return true;
        }
        return false;
      case Num.Dot:
        this.#num = Num.Frac;
        return isDigit(b);
      case Num.E:
        if (b === 0x2b || b === 0x2d) {
          this.#num = Num.ESign;
          return true;
        }
        this.#num = Num.Exp;
        return isDigit(b);
      case Num.ESign:
      case Num.Exp:
        this.#num = Num.Exp;
        return isDigit(b);
    }
  }

  /** Whether the bytes so far are a whole JSON value. */
  complete(): boolean {
    const literal = this.#literal;
    if (literal !== undefined) return this.length === literal.length;
    return (
      this.#num === Num.Zero ||
      this.#num === Num.Int ||
      this.#num === Num.Frac ||
      this.#num === Num.Exp
    );
  }
}

const notJson: Refusal = {
  name: "MALFORMED_JSON_BODY",
  message: 'The request body is not valid JSON: send a JSON array such as ["user1","user2"].',
};
const notUtf8: Refusal = {
  name: "MALFORMED_JSON_BODY",
  message: "The request body is not valid UTF-8.",
};
const malformed = (message: string): Refusal => ({ name: "MALFORMED_PARAMETER", message });
const notAnArray = malformed(
  'The request body must be a JSON array of user ids, such as ["user1","user2"].',
);

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
// For chunks known to be ASCII up to the id sliced out of them: any decoding keeps offsets.
const asciiDecoder = new TextDecoder("utf-8", { ignoreBOM: true });

/**
 * Push chunks in, then `end()`. Each call returns a refusal as soon as the body is known to
 * be wrong (then stop pushing), else undefined.
 */
export class IdListParser {
  readonly ids: string[] = [];
  readonly #limits: IdListLimits;
  #state = State.Start;
  #bytes = 0;
  #elements = 0;
  // The id being read: its bytes from earlier chunks (escapes as sent), and what is known of it.
  #carried = new Uint8Array(64);
  #carriedLength = 0;
  #units = 0;
  #escaped = false;
  #hexLeft = 0;
  #ascii = true;
  #escapes = false;
  #scalar: Scalar | undefined;

  constructor(limits: IdListLimits) {
    this.#limits = limits;
  }

  /** Array elements met so far (the one being read included). */
  get elements(): number {
    return this.#elements;
  }

  get bytes(): number {
    return this.#bytes;
  }

  push(chunk: Uint8Array): Refusal | "too-large" | undefined {
    const first = this.#bytes;
    this.#bytes += chunk.byteLength;
    if (this.#bytes > this.#limits.maxBytes) return "too-large";
    const { maxIds, maxIdLength } = this.#limits;
    const n = chunk.length;
    let state = this.#state;
    // Where the current id's bytes start in this chunk (0 when it began in an earlier one).
    let start = 0;
    // Whether every byte of this chunk so far was ASCII: then byte offsets are UTF-16 offsets
    // in the chunk decoded once (`text`), and an ASCII id is a slice of it.
    let asciiChunk = true;
    let text: string | undefined;
    let i = 0;
    while (i < n) {
      if (state === State.InString) {
        let units = this.#units;
        let b = 0;
        for (; i < n; i++) {
          b = chunk[i]!;
          if (this.#hexLeft > 0) {
            this.#hexLeft--;
            continue;
          }
          if (this.#escaped) {
            this.#escaped = false;
            if (b === 0x75) this.#hexLeft = 4;
            continue;
          }
          if (b === QUOTE) break;
          if (b < 0x80) {
            if (b === BACKSLASH) {
              this.#escaped = true;
              this.#escapes = true;
            } else if (b < 0x20) return notJson;
            units++;
          } else {
            this.#ascii = false;
            asciiChunk = false;
            // A lead byte starts a character: one code unit, two for a 4-byte sequence.
            if (b >= 0xf0) units += 2;
            else if (b >= 0xc0) units++;
          }
          if (units > maxIdLength) {
            return malformed(
              `The user id at position ${this.#elements - 1} is longer than ${maxIdLength} characters: ids are non-empty strings of at most ${maxIdLength} UTF-16 code units.`,
            );
          }
        }
        this.#units = units;
        if (i === n) {
          this.#carry(chunk.subarray(start, n));
          break;
        }
        let id: string | Refusal;
        if (this.#carriedLength === 0 && this.#ascii && !this.#escapes && asciiChunk) {
          text ??= asciiDecoder.decode(chunk);
          id = text.slice(start, i);
        } else {
          this.#carry(chunk.subarray(start, i));
          id = this.#decodeCarried();
          this.#carriedLength = 0;
        }
        if (typeof id !== "string") return id;
        if (id.length === 0) {
          return malformed(
            `The user id at position ${this.#elements - 1} is an empty string: ids are non-empty strings.`,
          );
        }
        this.ids.push(id);
        state = State.AfterValue;
        i++;
        continue;
      }
      const b = chunk[i]!;
      i++;
      if (state === State.InScalar) {
        const scalar = this.#scalar!;
        const inArray = this.#elements > 0;
        if (isWhitespace(b) || (inArray && (b === 0x2c || b === 0x5d))) {
          if (!scalar.complete()) return notJson;
          return this.#notAString(scalar.kind);
        }
        if (!scalar.step(b)) return notJson;
        if (scalar.length > MAX_SCALAR) return this.#notAString(scalar.kind);
        continue;
      }
      if (state === State.Bom1 || state === State.Bom2) {
        if (b !== (state === State.Bom1 ? 0xbb : 0xbf)) return notUtf8;
        state = state === State.Bom1 ? State.Bom2 : State.Start;
        continue;
      }
      if (isWhitespace(b)) continue;
      if (b >= 0x80) asciiChunk = false;
      switch (state) {
        case State.AfterValue:
          if (b === 0x2c) state = State.AfterComma;
          else if (b === 0x5d) state = State.Done;
          else return notJson;
          break;
        case State.ArrayOpen:
        case State.AfterComma:
          if (b === 0x5d) {
            if (state === State.AfterComma) return notJson;
            return malformed(`The id array is empty: send between 1 and ${maxIds} user ids.`);
          }
          if (this.#elements === maxIds) {
            this.#elements++;
            return malformed(
              `The id array holds more than ${maxIds} ids: send at most ${maxIds} per call and split the rest into more calls.`,
            );
          }
          this.#elements++;
          if (b === 0x5b || b === 0x7b)
            return this.#notAString(b === 0x5b ? "an array" : "an object");
          if (b !== QUOTE) {
            this.#scalar = Scalar.start(b);
            if (this.#scalar === undefined) return notJson;
            state = State.InScalar;
            break;
          }
          state = State.InString;
          start = i;
          this.#units = 0;
          this.#ascii = true;
          this.#escapes = false;
          break;
        case State.Start:
          if (b === 0xef && first + i === 1) state = State.Bom1;
          else if (b === 0x5b) state = State.ArrayOpen;
          else if (b === QUOTE || b === 0x7b) return notAnArray;
          else {
            this.#scalar = Scalar.start(b);
            if (this.#scalar === undefined) return b >= 0x80 ? notUtf8 : notJson;
            state = State.InScalar;
          }
          break;
        case State.Done:
          return notJson;
      }
    }
    this.#state = state;
    return undefined;
  }

  /** The body ended: complete, or cut short (not JSON). */
  end(): Refusal | undefined {
    if (this.#state === State.Done) return undefined;
    // A whole scalar and nothing else: JSON, just not an array.
    if (this.#state === State.InScalar && this.#elements === 0 && this.#scalar!.complete()) {
      return notAnArray;
    }
    return notJson;
  }

  /** The refusal of a value that is JSON but not a string: the body, or the id at hand. */
  #notAString(kind: string): Refusal {
    if (this.#elements === 0) return notAnArray;
    return malformed(
      `The user id at position ${this.#elements - 1} is ${kind}, not a string: ids are non-empty strings.`,
    );
  }

  /** Keeps the current id's bytes from this chunk for when it ends in a later one. */
  #carry(bytes: Uint8Array): void {
    const needed = this.#carriedLength + bytes.length;
    if (needed > this.#carried.length) {
      const bigger = new Uint8Array(Math.max(needed, this.#carried.length * 2));
      bigger.set(this.#carried.subarray(0, this.#carriedLength));
      this.#carried = bigger;
    }
    this.#carried.set(bytes, this.#carriedLength);
    this.#carriedLength = needed;
  }

  /** The carried id, decoded: strict UTF-8, then its escapes; a refusal if it is not valid. */
  #decodeCarried(): string | Refusal {
    let id: string;
    try {
      id = utf8.decode(this.#carried.subarray(0, this.#carriedLength));
    } catch {
      return notUtf8;
    }
    if (this.#escapes) {
      try {
        id = JSON.parse(`"${id}"`) as string;
      } catch {
        return notJson;
      }
      // Valid UTF-8 holds no lone surrogate: only an escape such as \uD800 can make one.
      if (hasLoneSurrogate(id)) {
        return malformed(
          `The user id at position ${this.#elements - 1} holds an unpaired UTF-16 surrogate: ids are non-empty strings.`,
        );
      }
    }
    return id;
  }
}

/**
 * Reads a bulk body through an `IdListParser`, cancelling the stream at the first refusal or
 * past `maxBytes`. A transport that caps the body itself errors the stream with a
 * `BODY_TOO_LARGE`-branded error: that is "too-large" too. Any other stream error (the client
 * went away) is thrown.
 */
export async function readIdList(
  body: ReadableStream<Uint8Array> | null,
  limits: IdListLimits,
): Promise<IdListRead> {
  if (body === null) return { kind: "empty" };
  const parser = new IdListParser(limits);
  const reader = body.getReader();
  const stop = () => reader.cancel().catch(() => undefined);
  for (;;) {
    const next = await readChunk(reader);
    if (next === "too-large") return { kind: "too-large" };
    if (next.done) break;
    const refusal = parser.push(next.value);
    if (refusal === "too-large") {
      await stop();
      return { kind: "too-large" };
    }
    if (refusal !== undefined) {
      await stop();
      return { kind: "refused", refusal, elements: parser.elements };
    }
  }
  if (parser.bytes === 0) return { kind: "empty" };
  const refusal = parser.end();
  if (refusal !== undefined) return { kind: "refused", refusal, elements: parser.elements };
  return { kind: "ids", ids: parser.ids };
}
