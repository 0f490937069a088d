import { createReadStream } from "node:fs";
import { pipeline, Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { BatchValidationError, idProblem, MAX_ID_LENGTH } from "@batch-custom-data/core";
import { type Options as CsvOptions, Parser } from "csv-parse";

export type IdFormat = "lines" | "csv" | "ndjson";

export const ID_FORMATS: readonly IdFormat[] = ["lines", "csv", "ndjson"];

export interface ReadIdsOptions {
  /** Default `"lines"`: one id per line. */
  format?: IdFormat;
  /**
   * csv: the id column, by header name or 0-based index (default 0). A name means the first
   * row is a header; with an index the first row is data unless `header` is true.
   */
  column?: string | number;
  /** csv: whether the first row is a header (default: true when `column` is a name). */
  header?: boolean;
  /** csv: the field delimiter (default `,`). */
  delimiter?: string;
  /** ndjson: the field holding the id (default `"id"`). */
  field?: string;
  /** How errors name the input (default: the path, or `"input"` for a stream). */
  name?: string;
}

/** What `readIds` reads: a file path (or `file:` URL), a Node stream or any async iterable of bytes. */
export type IdInput =
  | string
  | URL
  | NodeJS.ReadableStream
  | AsyncIterable<Uint8Array | string>
  | Iterable<Uint8Array | string>;

/** A row of the input that is not a valid id: `line` is 1-based. */
export class IdReadError extends BatchValidationError {
  override name = "IdReadError";
  constructor(
    readonly source: string,
    readonly line: number,
    problem: string,
  ) {
    super(`${source} line ${line}: ${problem}`);
  }
}

/** Longest NDJSON line accepted: a row is an id and a few fields, never megabytes. */
const MAX_JSON_LINE = 1 << 20;
/** Longest CSV record accepted, in characters. */
const MAX_CSV_RECORD = 1 << 20;

/**
 * Reads ids from a file or stream, lazily: the next bytes are read only as ids are consumed,
 * so memory stays flat however long the input. Every format reports a bad row as an
 * `IdReadError` naming its line; nothing is skipped silently except blank lines.
 *
 * - `lines`: one id per line; `\n` or `\r\n` endings; blank lines ignored; nothing trimmed.
 * - `csv`: RFC 4180 (quoted fields, embedded commas, quotes and newlines), column by name or index.
 * - `ndjson`: one JSON object per line, the id in `field` (a string).
 */
export function readIds(input: IdInput, options: ReadIdsOptions = {}): AsyncGenerator<string> {
  if (!(typeof input === "string" || input instanceof URL || isIterable(input))) {
    throw new BatchValidationError(
      "readIds: input must be a path, a URL, a readable stream or an iterable of bytes.",
    );
  }
  const format = options.format ?? "lines";
  if (!ID_FORMATS.includes(format)) {
    throw new BatchValidationError(`readIds: format must be one of ${ID_FORMATS.join(", ")}.`);
  }
  const name =
    options.name ??
    (typeof input === "string" ? input : input instanceof URL ? fileURLToPath(input) : "input");
  if (format === "csv") return readCsv(input, name, options);
  if (format === "ndjson") return readNdjson(input, name, options.field ?? "id");
  return readLines(input, name);
}

function isIterable(input: unknown): boolean {
  const object = Object(input);
  return Symbol.asyncIterator in object || Symbol.iterator in object;
}

/** Opens the input: a file is opened only when the first id is asked for. */
function open(input: IdInput): AsyncIterable<Uint8Array | string> {
  if (typeof input === "string" || input instanceof URL) {
    return createReadStream(input, { highWaterMark: 64 * 1024 });
  }
  return input as AsyncIterable<Uint8Array | string>;
}

/**
 * Decodes bytes as UTF-8, refusing invalid bytes (a binary or Latin-1 file would otherwise
 * turn into wrong ids). A leading BOM is dropped. `lineOf` says where a bad byte was.
 */
async function* decodeUtf8(input: IdInput, name: string): AsyncGenerator<string> {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let line = 1;
  let first = true;
  for await (const chunk of open(input)) {
    let text: string;
    try {
      text = typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
    } catch {
      throw new IdReadError(name, line, "the input is not valid UTF-8 (save the file as UTF-8).");
    }
    // TextDecoder drops a BOM from bytes; text given as strings may still start with one.
    if (first && text !== "") {
      first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) line++;
    yield text;
  }
  try {
    const tail = decoder.decode();
    if (tail) yield tail;
  } catch {
    throw new IdReadError(name, line, "the input ends in the middle of a UTF-8 character.");
  }
}

/** Splits text into lines (without `\n` or `\r\n`), numbered from 1; refuses a line over `max`. */
async function* splitLines(
  input: IdInput,
  name: string,
  max: number,
): AsyncGenerator<[string, number]> {
  let rest = "";
  let line = 0;
  for await (const text of decodeUtf8(input, name)) {
    rest = rest ? rest + text : text;
    let start = 0;
    for (let nl = rest.indexOf("\n"); nl !== -1; nl = rest.indexOf("\n", start)) {
      const end = nl > start && rest.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      yield [rest.slice(start, end), ++line];
      start = nl + 1;
    }
    rest = start === 0 ? rest : rest.slice(start);
    // No newline for this long: not a list of ids (and memory must stay flat).
    if (rest.length > max + 1)
      throw new IdReadError(name, line + 1, `the line is longer than ${max} characters.`);
  }
  if (rest !== "") yield [rest.endsWith("\r") ? rest.slice(0, -1) : rest, ++line];
}

async function* readLines(input: IdInput, name: string): AsyncGenerator<string> {
  for await (const [id, line] of splitLines(input, name, MAX_ID_LENGTH)) {
    if (id === "") continue;
    const problem = idProblem(id);
    if (problem) throw new IdReadError(name, line, `the id ${problem}.`);
    yield id;
  }
}

async function* readNdjson(input: IdInput, name: string, field: string): AsyncGenerator<string> {
  for await (const [text, line] of splitLines(input, name, MAX_JSON_LINE)) {
    if (text.trim() === "") continue;
    let row: unknown;
    try {
      row = JSON.parse(text);
    } catch (error) {
      throw new IdReadError(name, line, `not valid JSON (${(error as Error).message}).`);
    }
    if (typeof row !== "object" || row === null || Array.isArray(row)) {
      throw new IdReadError(
        name,
        line,
        `expected a JSON object with a "${field}" field, got ${describe(row)}.`,
      );
    }
    if (!Object.hasOwn(row, field)) {
      throw new IdReadError(name, line, `the field "${field}" is missing.`);
    }
    const id = (row as Record<string, unknown>)[field];
    if (typeof id !== "string") {
      throw new IdReadError(name, line, `the field "${field}" is ${describe(id)}, not a string.`);
    }
    const problem = idProblem(id);
    if (problem) throw new IdReadError(name, line, `the id ${problem}.`);
    yield id;
  }
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

interface NumberedRecord {
  record: string[];
  /** The line the record ends on (a quoted field may span lines). */
  line: number;
}

/**
 * csv-parse, with each record's line number. Its `info` option costs 3x the parse time
 * (it copies the parser state per record); the counter read as each record is pushed is free.
 */
class NumberedParser extends Parser {
  constructor(options: CsvOptions) {
    super(options);
  }
  // biome-ignore lint/suspicious/noExplicitAny: Transform.push's own signature
  override push(record: any, encoding?: BufferEncoding): boolean {
    const numbered: NumberedRecord | null =
      record === null ? null : { record, line: this.info.lines };
    return super.push(numbered, encoding);
  }
}

async function* readCsv(
  input: IdInput,
  name: string,
  options: ReadIdsOptions,
): AsyncGenerator<string> {
  const column = options.column ?? 0;
  if (typeof column === "number" ? !(Number.isInteger(column) && column >= 0) : column === "") {
    throw new BatchValidationError("readIds: column must be a header name or a 0-based index.");
  }
  const header = options.header ?? typeof column === "string";
  if (typeof column === "string" && !header) {
    throw new BatchValidationError("readIds: a column named by its header needs header: true.");
  }
  const parser = new NumberedParser({
    delimiter: options.delimiter ?? ",",
    record_delimiter: ["\r\n", "\n"],
    skip_empty_lines: true,
    // Rows may differ in length: a row too short for the id column is reported below.
    relax_column_count: true,
    max_record_size: MAX_CSV_RECORD,
  });
  // pipeline forwards a read error to the parser and, if we stop early, destroys the source.
  pipeline(Readable.from(decodeUtf8(input, name)), parser, () => {});

  let index = typeof column === "number" ? column : -1;
  let first = header;
  try {
    for await (const { record, line } of parser as AsyncIterable<NumberedRecord>) {
      if (first) {
        first = false;
        if (typeof column === "string") {
          index = record.indexOf(column);
          const again = record.indexOf(column, index + 1);
          if (index === -1) {
            throw new IdReadError(
              name,
              line,
              `the header has no column "${column}" (it has ${record.length} columns).`,
            );
          }
          if (again !== -1) {
            throw new IdReadError(
              name,
              line,
              `the header names the column "${column}" twice (columns ${index} and ${again}).`,
            );
          }
        }
        continue;
      }
      const id = record[index];
      if (id === undefined) {
        throw new IdReadError(
          name,
          line,
          `the row has ${record.length} field${record.length === 1 ? "" : "s"}, no column ${typeof column === "string" ? `"${column}" (index ${index})` : index}.`,
        );
      }
      const problem = idProblem(id);
      if (problem) throw new IdReadError(name, line, `the id ${problem}.`);
      yield id;
    }
  } catch (error) {
    if (error instanceof BatchValidationError) throw error;
    const { code, lines, message } = Object(error);
    if (typeof code === "string" && code.startsWith("CSV_")) {
      throw new IdReadError(name, Number(lines) || 0, `not valid CSV: ${message}`);
    }
    throw error;
  }
}
