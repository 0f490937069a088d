import { type BatchErrorOptions, BatchValidationError } from "../errors.js";
import { guardOf } from "../guards.js";

/**
 * A row of the input that is not a valid id. `line` is 1-based. The message says what is wrong
 * with the row (`problem`), never what it holds: ids are personal data, and a log is no place
 * for them.
 */
export class IdReadError extends BatchValidationError {
  static override readonly kind: string = "IdReadError";
  override name = "IdReadError";
  /** How the input is named in messages (`ReadIdsOptions.name`, a path, `"stdin"`...). */
  readonly source: string;
  readonly line: number;
  /** What is wrong with the row, e.g. `the id is empty.` */
  readonly problem: string;

  constructor(source: string, line: number, problem: string, options: BatchErrorOptions = {}) {
    super(`${source} line ${line}: ${problem}`, options);
    this.source = source;
    this.line = line;
    this.problem = problem;
  }
}

/** `instanceof IdReadError` that also works across package copies and realms. */
export const isIdReadError = /* @__PURE__ */ guardOf(IdReadError);
