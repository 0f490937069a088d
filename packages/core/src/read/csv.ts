/**
 * CSV (RFC 4180) as it streams: quoted fields holding delimiters, `""` and line breaks;
 * records end with `\n` or `\r\n` (a lone `\r` is data); empty lines are skipped; rows may
 * differ in length. It follows csv-parse's rules for malformed input (a quote opening inside
 * a field, text after a closing quote, a quote never closed) and is tested against it as an
 * oracle. Written here because the core has no dependencies and must run in every runtime.
 */
import { idProblem } from "../ids.js";
import { IdReadError } from "./error.js";
import { type ByteSource, texts, Utf8Error } from "./text.js";

export interface CsvRecord {
  readonly fields: string[];
  /** The 1-based line the record starts on (a quoted field may span lines). */
  readonly line: number;
}

/** Malformed CSV: `line` is where the parser was when it found out. */
export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly problem: string,
  ) {
    super(`line ${line}: ${problem}`);
  }
}

const QUOTE = 34;
const LF = 10;
const CR = 13;

/** An incremental parser: `push` text as it comes, `end` once the input is over. */
export class CsvParser {
  private fields: string[] = [];
  private field = "";
  private quoting = false;
  /** A quote just ended a quoted section: the next character decides (`"` is an escaped quote). */
  private closing = false;
  /** The current field was quoted (so `""` on a line is a record, not an empty line). */
  private quoted = false;
  /** A `\r` ended the last chunk outside quotes: the next chunk says whether a `\n` follows. */
  private pendingCr = false;
  private size = 0;
  /** The line the parser is on (1-based). */
  line = 1;
  /** Where the open quoted field started: a quote never closed is reported there. */
  private quoteLine = 1;
  private recordLine = 1;
  private readonly delimiter: number;

  constructor(
    delimiter: string,
    private readonly maxRecord = 1 << 20,
  ) {
    this.delimiter = delimiter.charCodeAt(0);
  }

  push(text: string, out: CsvRecord[]): void {
    let i = 0;
    const n = text.length;
    if (this.pendingCr && n > 0) {
      this.pendingCr = false;
      if (text.charCodeAt(0) === LF) {
        this.endRecord(out);
        i = 1;
      } else if (this.closing) {
        throw this.error("text after a closing quote (a lone carriage return).");
      } else {
        this.field += "\r";
      }
    }
    while (i < n) {
      if (this.quoting) {
        const quote = text.indexOf('"', i);
        const end = quote === -1 ? n : quote;
        this.append(text, i, end);
        i = end;
        if (quote !== -1) {
          this.quoting = false;
          this.closing = true;
          i++;
        }
        continue;
      }
      const c = text.charCodeAt(i);
      if (this.closing) {
        if (c === QUOTE) {
          this.field += '"';
          this.quoting = true;
          this.closing = false;
          i++;
          continue;
        }
        if (c === CR && i + 1 === n) {
          this.pendingCr = true; // still closing: the next chunk must start with `\n`
          return;
        }
        const ends = c === CR ? text.charCodeAt(i + 1) === LF : c === this.delimiter || c === LF;
        if (!ends) {
          throw this.error("text after a closing quote (a quoted field ends at a delimiter).");
        }
        this.closing = false;
      }
      if (c === this.delimiter) {
        this.endField();
        i++;
      } else if (c === LF) {
        this.endRecord(out);
        i++;
      } else if (c === CR) {
        if (i + 1 === n) {
          this.pendingCr = true;
          return;
        }
        if (text.charCodeAt(i + 1) === LF) {
          this.endRecord(out);
          i += 2;
        } else {
          this.field += "\r";
          i++;
        }
      } else if (c === QUOTE) {
        if (this.field !== "") {
          throw this.error("a quote inside an unquoted field (quote the whole field).");
        }
        this.quoting = true;
        this.quoted = true;
        this.quoteLine = this.line;
        i++;
      } else {
        // A run of plain characters, taken in one slice.
        let j = i + 1;
        for (; j < n; j++) {
          const d = text.charCodeAt(j);
          if (d === this.delimiter || d === LF || d === CR || d === QUOTE) break;
        }
        this.append(text, i, j);
        i = j;
      }
    }
  }

  end(out: CsvRecord[]): void {
    if (this.quoting) throw new CsvSyntaxError(this.quoteLine, "a quoted field is never closed.");
    if (this.pendingCr) {
      this.pendingCr = false;
      if (this.closing) throw this.error("text after a closing quote (a lone carriage return).");
      this.field += "\r";
    }
    if (this.quoted || this.fields.length > 0 || this.field !== "") this.endRecord(out);
  }

  private append(text: string, from: number, to: number): void {
    if (from === to) return;
    const part = text.slice(from, to);
    for (let nl = part.indexOf("\n"); nl !== -1; nl = part.indexOf("\n", nl + 1)) this.line++;
    this.size += part.length;
    if (this.size > this.maxRecord) {
      throw this.error(`the record is longer than ${this.maxRecord} characters.`);
    }
    this.field += part;
  }

  private endField(): void {
    this.fields.push(this.field);
    this.field = "";
    this.quoted = false;
    this.closing = false;
  }

  private endRecord(out: CsvRecord[]): void {
    const empty = this.fields.length === 0 && this.field === "" && !this.quoted;
    if (!empty) {
      this.endField();
      out.push({ fields: this.fields, line: this.recordLine });
    }
    this.fields = [];
    this.field = "";
    this.quoted = false;
    this.closing = false;
    this.size = 0;
    this.line++;
    this.recordLine = this.line;
  }

  private error(problem: string): CsvSyntaxError {
    return new CsvSyntaxError(this.line, problem);
  }
}

export interface CsvOptions {
  /** The id column: a header name, or a 0-based index. */
  readonly column: string | number;
  readonly header: boolean;
  readonly delimiter: string;
}

/** `csv`: the ids of one column, by header name or index. */
export async function* readCsv(
  input: ByteSource,
  name: string,
  options: CsvOptions,
  signal?: AbortSignal,
): AsyncGenerator<string[]> {
  const parser = new CsvParser(options.delimiter);
  const column = new ColumnReader(name, options);
  const records: CsvRecord[] = [];
  /** Parses what is there; the ids before a fault are handed on before the fault is thrown. */
  function* settle(step: () => void): Generator<string[]> {
    let fault: unknown;
    try {
      step();
    } catch (error) {
      fault = error;
    }
    const { ids, error } = column.take(records);
    if (ids.length > 0) yield ids;
    // A bad record comes before the syntax error that stopped the parser after it.
    if (error) throw error;
    if (fault) throw fault;
  }
  try {
    for await (const text of texts(input, signal)) yield* settle(() => parser.push(text, records));
    yield* settle(() => parser.end(records));
  } catch (error) {
    if (error instanceof CsvSyntaxError) {
      throw new IdReadError(name, error.line, `not valid CSV: ${error.problem}`);
    }
    if (error instanceof Utf8Error) {
      throw new IdReadError(name, parser.line + error.newlines, error.message);
    }
    throw error;
  }
}

/** Picks the id column out of records: finds it in the header, checks every row's id. */
class ColumnReader {
  private index: number;
  private header: boolean;

  constructor(
    private readonly name: string,
    private readonly options: CsvOptions,
  ) {
    this.index = typeof options.column === "number" ? options.column : -1;
    this.header = options.header;
  }

  /** The ids of `records` (emptied), up to the first bad one, and that one's error. */
  take(records: CsvRecord[]): { ids: string[]; error?: IdReadError } {
    const ids: string[] = [];
    try {
      for (const { fields, line } of records) {
        if (this.header) {
          this.header = false;
          const { column } = this.options;
          if (typeof column === "string") this.index = headerIndex(fields, column, this.name, line);
          continue;
        }
        ids.push(this.id(fields, line));
      }
    } catch (error) {
      return { ids, error: error as IdReadError };
    } finally {
      records.length = 0;
    }
    return { ids };
  }

  private id(fields: string[], line: number): string {
    const id = fields[this.index];
    if (id === undefined) {
      const { column } = this.options;
      const which = typeof column === "string" ? `"${column}" (index ${this.index})` : `${column}`;
      const count = `${fields.length} field${fields.length === 1 ? "" : "s"}`;
      throw new IdReadError(this.name, line, `the row has ${count}, no column ${which}.`);
    }
    const problem = idProblem(id);
    if (problem) throw new IdReadError(this.name, line, `the id ${problem}.`);
    return id;
  }
}

function headerIndex(fields: string[], column: string, name: string, line: number): number {
  const index = fields.indexOf(column);
  if (index === -1) {
    throw new IdReadError(
      name,
      line,
      `the header has no column "${column}" (it has ${fields.length} columns).`,
    );
  }
  const again = fields.indexOf(column, index + 1);
  if (again !== -1) {
    throw new IdReadError(
      name,
      line,
      `the header names the column "${column}" twice (columns ${index} and ${again}).`,
    );
  }
  return index;
}
