import { type BatchErrorOptions, BatchValidationError, guardOf } from "../errors.js";

/**
 * A row of the input that is not a valid id. `line` is 1-based. The message says what is wrong
 * with the row, never what it holds: ids are personal data, and a log is no place for them.
 */
export class IdReadError extends BatchValidationError {
  static override readonly kind: string = "IdReadError";
  override name = "IdReadError";
  /** How the input is named in messages (`ReadIdsOptions.name`, a path, `"stdin"`...). */
  readonly source: string;
  readonly line: number;

  constructor(
    message: string,
    options: BatchErrorOptions & { readonly source: string; readonly line: number },
  ) {
    super(message, options);
    this.source = options.source;
    this.line = options.line;
  }
}

/** The error for line `line` of `source`: what is wrong with the row (`problem`), not its text. */
export const rowError = (source: string, line: number, problem: string): IdReadError =>
  new IdReadError(`${source} line ${line}: ${problem}`, { source, line });

/** `instanceof IdReadError` that also works across package copies and realms. */
export const isIdReadError = /* @__PURE__ */ guardOf(IdReadError);
