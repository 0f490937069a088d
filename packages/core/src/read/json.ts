/**
 * `json`: one JSON array of id strings (`["u1", "u2"]`), parsed as it streams, so a body of
 * millions of ids never sits whole in memory and a wrong element is named by its line at once.
 */
import { idProblem, MAX_ID_LENGTH } from "../ids.js";
import { IdReadError } from "./error.js";
import { type ByteSource, texts, Utf8Error } from "./text.js";

/** The longest an id can be written in JSON: every UTF-16 unit as a 6-character `\uXXXX`. */
const MAX_RAW = MAX_ID_LENGTH * 6;

const WHITESPACE = new Set([" ", "\t", "\n", "\r"]);

/** A fault in the array, with the line the parser was on. */
class JsonArrayError extends Error {
  constructor(
    readonly line: number,
    readonly problem: string,
  ) {
    super(problem);
  }
}

/** An incremental parser of one JSON array of strings: `push` text as it comes, then `end`. */
export class JsonArrayParser {
  private state: "start" | "first" | "value" | "after" | "string" | "end" = "start";
  /** The current string's text, still escaped, across chunks. */
  private raw = "";
  /** The current string holds a backslash (so it needs decoding). */
  private escaped = false;
  /** The line the parser is on (1-based). */
  line = 1;

  /** Appends the ids completed in `text` to `ids`. */
  push(text: string, ids: string[]): void {
    let i = 0;
    while (i < text.length) {
      if (this.state === "string") {
        const end = stringEnd(text, i, trailingBackslashes(this.raw));
        const part = text.slice(i, end === -1 ? text.length : end);
        this.raw += part;
        this.escaped ||= part.includes("\\");
        if (this.raw.length > MAX_RAW) {
          throw this.fail(`the id is longer than ${MAX_ID_LENGTH} characters.`);
        }
        if (end === -1) return;
        ids.push(this.decode());
        this.state = "after";
        i = end + 1;
        continue;
      }
      const c = text[i++]!;
      if (WHITESPACE.has(c)) {
        if (c === "\n") this.line++;
      } else if (this.state === "start") {
        if (c !== "[") throw this.fail('expected a JSON array of ids, like ["user-1", "user-2"].');
        this.state = "first";
      } else if (this.state === "first" && c === "]") {
        this.state = "end";
      } else if (this.state === "first" || this.state === "value") {
        if (c !== '"') throw this.fail(`expected an id (a JSON string); got ${describe(c)}.`);
        this.state = "string";
      } else if (this.state === "after" && (c === "," || c === "]")) {
        this.state = c === "," ? "value" : "end";
      } else if (this.state === "after") {
        throw this.fail("expected , or ] after an id.");
      } else {
        throw this.fail("unexpected text after the end of the array.");
      }
    }
  }

  end(): void {
    if (this.state === "start")
      throw this.fail("the input is empty: expected a JSON array of ids.");
    if (this.state !== "end") throw this.fail("the array is cut off.");
  }

  private decode(): string {
    let id = this.raw;
    // JSON forbids raw control characters in strings, and JSON.parse is the only escape decoder
    // that is right for every case (surrogate pairs included).
    if (this.escaped || hasControl(id)) {
      try {
        id = JSON.parse(`"${id}"`);
      } catch {
        throw this.fail("the id is not a valid JSON string (bad escape or raw control character).");
      }
    }
    this.raw = "";
    this.escaped = false;
    const problem = idProblem(id);
    if (problem) throw this.fail(`the id ${problem}.`);
    return id;
  }

  private fail(problem: string): JsonArrayError {
    return new JsonArrayError(this.line, problem);
  }
}

export async function* readJsonArray(
  input: ByteSource,
  name: string,
  signal?: AbortSignal,
): AsyncGenerator<string[]> {
  const parser = new JsonArrayParser();
  /** Parses what is there; the ids before a fault are handed on before the fault is thrown. */
  function* settle(step: (ids: string[]) => void): Generator<string[]> {
    const ids: string[] = [];
    try {
      step(ids);
    } finally {
      if (ids.length > 0) yield ids;
    }
  }
  try {
    for await (const text of texts(input, signal)) yield* settle((ids) => parser.push(text, ids));
    yield* settle(() => parser.end());
  } catch (error) {
    if (error instanceof JsonArrayError) throw new IdReadError(name, error.line, error.problem);
    if (error instanceof Utf8Error) {
      throw new IdReadError(name, parser.line + error.newlines, error.message);
    }
    throw error;
  }
}

/**
 * The index of the quote that ends a string resumed at `from`, or -1 if not in `text`. A quote
 * after an odd run of backslashes is escaped; `carried` backslashes ended the previous chunk.
 */
function stringEnd(text: string, from: number, carried: number): number {
  for (let q = text.indexOf('"', from); q !== -1; q = text.indexOf('"', q + 1)) {
    let backslashes = 0;
    while (q - 1 - backslashes >= from && text[q - 1 - backslashes] === "\\") backslashes++;
    if (q - backslashes === from) backslashes += carried;
    if (backslashes % 2 === 0) return q;
  }
  return -1;
}

function trailingBackslashes(raw: string): number {
  let count = 0;
  while (raw[raw.length - 1 - count] === "\\") count++;
  return count;
}

function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) < 0x20) return true;
  return false;
}

function describe(c: string): string {
  if (c === "{") return "an object";
  if (c === "[") return "an array";
  if (c === "n") return "null";
  if (c === "t" || c === "f") return "a boolean";
  if (c === "-" || (c >= "0" && c <= "9")) return "a number";
  return "unexpected text";
}
