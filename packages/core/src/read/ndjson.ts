import { idProblem } from "../ids.js";
import { IdReadError } from "./error.js";
import { lineBlocks } from "./lines.js";
import type { ByteSource } from "./text.js";

/** Longest NDJSON line accepted: a row is an id and a few fields, never megabytes. */
const MAX_LINE = 1 << 20;

/**
 * `ndjson`: one JSON value per line: an object whose `field` holds the id, or the id itself as
 * a JSON string. Blank lines skipped.
 */
export async function* readNdjson(
  input: ByteSource,
  name: string,
  field: string,
  signal?: AbortSignal,
): AsyncGenerator<string[]> {
  for await (const { lines, first } of lineBlocks(
    input,
    name,
    { max: MAX_LINE, what: "line" },
    signal,
  )) {
    const ids: string[] = [];
    try {
      for (let i = 0; i < lines.length; i++) {
        const text = lines[i]!;
        if (text.trim() === "") continue;
        const id = idOf(text, field, (problem) => new IdReadError(name, first + i, problem));
        const problem = idProblem(id);
        if (problem) throw new IdReadError(name, first + i, `the id ${problem}.`);
        ids.push(id);
      }
    } finally {
      // The ids before a bad line are handed on first: every id read reaches the caller.
      if (ids.length > 0) yield ids;
    }
  }
}

function idOf(text: string, field: string, fail: (problem: string) => Error): string {
  let row: unknown;
  try {
    row = JSON.parse(text);
  } catch {
    // JSON.parse's own message quotes the line, and the line holds personal data.
    throw fail(`not valid JSON (each line is {"${field}": "…"} or a JSON string).`);
  }
  if (typeof row === "string") return row;
  if (typeof row !== "object" || row === null || Array.isArray(row)) {
    throw fail(
      `expected a JSON object with a "${field}" field, or a JSON string; got ${kind(row)}.`,
    );
  }
  if (!Object.hasOwn(row, field)) throw fail(`the field "${field}" is missing.`);
  const id = (row as Record<string, unknown>)[field];
  if (typeof id !== "string") throw fail(`the field "${field}" is ${kind(id)}, not a string.`);
  return id;
}

export function kind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}
