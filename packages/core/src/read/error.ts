import { BatchValidationError } from "../errors.js";

/**
 * A row of the input that is not a valid id. `line` is 1-based. The message says what is wrong
 * with the row, never what it holds: ids are personal data, and a log is no place for them.
 */
export class IdReadError extends BatchValidationError {
  override name = "IdReadError";
  /** How the input is named in messages (`ReadIdsOptions.name`, a path, `"stdin"`...). */
  readonly source: string;
  readonly line: number;

  constructor(source: string, line: number, problem: string) {
    super(`${source} line ${line}: ${problem}`);
    this.source = source;
    this.line = line;
  }
}
