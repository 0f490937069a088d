/**
 * `@batch-custom-data/core/ids`: ids read from any runtime's byte stream (a file, stdin, an
 * upload, a request body), in batches: an array per chunk of input, so that
 * `client.deleteUsers(readIds(stream))` costs no `await` per id. Every format refuses a bad row
 * with an `IdReadError` naming its line; nothing is skipped silently but blank lines.
 */
import { BatchValidationError } from "../errors.js";
import { readCsv } from "./csv.js";
import { IdReadError } from "./error.js";
import { readJsonArray } from "./json.js";
import { readNdjson } from "./ndjson.js";
import { readPlainLines } from "./plain.js";
import { type ByteSource, isByteSource } from "./text.js";

export { IdReadError, isIdReadError } from "./error.js";
export type { ByteSource } from "./text.js";

export type IdFormat = "lines" | "csv" | "ndjson" | "json";

export const ID_FORMATS: readonly IdFormat[] = ["lines", "csv", "ndjson", "json"];

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
  /** csv: the field delimiter, one character (default `,`). */
  delimiter?: string;
  /** ndjson: the field holding the id (default `"id"`); a line that is a JSON string is an id. */
  field?: string;
  /** How errors name the input (default `"input"`). */
  name?: string;
  /** Stops reading: the source is cancelled and the reader throws the signal's reason. */
  signal?: AbortSignal;
}

const invalid = (message: string) =>
  new BatchValidationError(`readIds: ${message}`, { option: "readIds" });

/**
 * Ids from `input`, lazily (the next bytes are read only as batches are consumed, so memory
 * stays flat whatever the input's length), in input order, in batches of one chunk of input.
 * UTF-8 only (a BOM is dropped); `\n` or `\r\n` line endings; ids never trimmed.
 *
 * - `lines`: one id per line; blank lines skipped.
 * - `csv`: RFC 4180 (quoted fields, embedded delimiters, quotes and newlines), one column.
 * - `ndjson`: a JSON object per line with the id in `field`, or a JSON string per line.
 * - `json`: one JSON array of strings.
 */
export function readIds(
  input: ByteSource,
  options: ReadIdsOptions = {},
): AsyncGenerator<string[], void, undefined> {
  if (!isByteSource(input)) {
    throw invalid(
      "input must be a ReadableStream or an (async) iterable of bytes or text (a file's stream, a request body).",
    );
  }
  const { format = "lines", name = "input", signal } = options;
  if (!ID_FORMATS.includes(format))
    throw invalid(`format must be one of ${ID_FORMATS.join(", ")}.`);
  if (format === "csv") return readCsv(input, name, csvOptions(options), signal);
  if (format === "ndjson") return readNdjson(input, name, options.field ?? "id", signal);
  if (format === "json") return readJsonArray(input, name, signal);
  return readPlainLines(input, name, signal);
}

function csvOptions({ column = 0, header, delimiter = "," }: ReadIdsOptions) {
  if (typeof column === "number" ? !(Number.isInteger(column) && column >= 0) : column === "") {
    throw invalid("column must be a header name or a 0-based index.");
  }
  if (typeof column === "string" && header === false) {
    throw invalid("a column named by its header needs header: true.");
  }
  if ([...delimiter].length !== 1 || /["\r\n]/.test(delimiter)) {
    throw invalid("delimiter must be one character, not a quote or a line break.");
  }
  return { column, header: header ?? typeof column === "string", delimiter };
}

export interface IdCount {
  /** Ids counted: all of them when there is no problem; with one, those of earlier chunks. */
  count: number;
  /** The first bad row, if any: reading stops there. */
  firstProblem?: { line: number; message: string };
}

/**
 * Reads the whole input to count and check its ids without keeping them: what to show before
 * anything is sent (a file chosen in a page, a file the CLI is about to delete). A bad row is
 * returned, not thrown; a failure to read (the source's own error) is thrown.
 */
export async function countIds(input: ByteSource, options: ReadIdsOptions = {}): Promise<IdCount> {
  let count = 0;
  try {
    for await (const batch of readIds(input, options)) count += batch.length;
  } catch (error) {
    if (!(error instanceof IdReadError)) throw error;
    return { count, firstProblem: { line: error.line, message: error.message } };
  }
  return { count };
}
