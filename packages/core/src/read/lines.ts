/**
 * Line splitting for the line-based formats (`lines`, `ndjson`): `\n` or `\r\n` endings, lines
 * handed on in blocks (one array per chunk of input) so that no id pays for an `await`.
 */
import { IdReadError } from "./error.js";
import { type ByteSource, texts, Utf8Error } from "./text.js";

export interface LineBlock {
  /** The complete lines of one chunk of input, without their endings; blank ones included. */
  readonly lines: string[];
  /** The 1-based number of `lines[0]`. */
  readonly first: number;
}

/**
 * Splits the input into lines. A line with no end in sight after `max` characters is refused
 * (a binary file, or a format mix-up): memory stays flat whatever the input.
 */
export async function* lineBlocks(
  input: ByteSource,
  name: string,
  /** The longest line accepted, and what a line is called in the error (an "id", a "line"). */
  { max, what }: { max: number; what: string },
  signal?: AbortSignal,
): AsyncGenerator<LineBlock> {
  let rest = "";
  let line = 1; // the number of the next line to complete
  try {
    for await (const text of texts(input, signal)) {
      const buffer = rest === "" ? text : rest + text;
      const lines: string[] = [];
      let start = 0;
      for (let nl = buffer.indexOf("\n"); nl !== -1; nl = buffer.indexOf("\n", start)) {
        const end = nl > start && buffer.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
        lines.push(buffer.slice(start, end));
        start = nl + 1;
      }
      rest = start === 0 ? buffer : buffer.slice(start);
      if (lines.length > 0) {
        yield { lines, first: line };
        line += lines.length;
      }
      if (rest.length > max + 1) {
        throw new IdReadError(name, line, `the ${what} is longer than ${max} characters.`);
      }
    }
  } catch (error) {
    if (!(error instanceof Utf8Error)) throw error;
    throw new IdReadError(name, line + error.newlines, error.message);
  }
  if (rest !== "") yield { lines: [rest.endsWith("\r") ? rest.slice(0, -1) : rest], first: line };
}
