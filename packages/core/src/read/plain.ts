import { idProblem, MAX_ID_LENGTH } from "../ids.js";
import { IdReadError } from "./error.js";
import { lineBlocks } from "./lines.js";
import type { ByteSource } from "./text.js";

/** `lines`: one id per line; blank lines skipped; nothing trimmed (`" a "` is the id `" a "`). */
export async function* readPlainLines(
  input: ByteSource,
  name: string,
  signal?: AbortSignal,
): AsyncGenerator<string[]> {
  for await (const { lines, first } of lineBlocks(
    input,
    name,
    { max: MAX_ID_LENGTH, what: "id" },
    signal,
  )) {
    let blanks = 0;
    let bad = -1;
    for (let i = 0; i < lines.length && bad === -1; i++) {
      const id = lines[i]!;
      if (id === "") blanks++;
      else if (id.length > MAX_ID_LENGTH || !id.isWellFormed()) bad = i;
    }
    // The ids before a bad line are handed on first: every id read reaches the caller.
    const good = bad === -1 ? lines : lines.slice(0, bad);
    // The block is the batch as it is, unless blank lines have to go.
    const ids = blanks === 0 ? good : good.filter((id) => id !== "");
    if (ids.length > 0) yield ids;
    if (bad !== -1) {
      throw new IdReadError(name, first + bad, `the id ${idProblem(lines[bad])}.`);
    }
  }
}
