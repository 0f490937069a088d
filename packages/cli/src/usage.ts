import { EXIT } from "./output.js";

/** A run that ends before anything is sent, with its exit code and what to do about it. */
export class CliError extends Error {
  override name = "CliError";
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** A mistake in the command line or the configuration: exit 2, nothing sent. */
export class UsageError extends CliError {
  override name = "UsageError";
  constructor(message: string) {
    super(message, EXIT.usage);
  }
}
