/**
 * The confirmation rule: a run that would delete more than `CONFIRM_ABOVE` ids asks first, on
 * the terminal, unless `--yes` is given. Where nobody can answer (no terminal: a script, CI, a
 * container) it never waits: it refuses, exit 2, nothing sent, and says to add `--yes`. A
 * deletion cannot be undone; one flag in a script costs less than a wrong file deleted.
 *
 * When the number of ids is not known up front (stdin, a FIFO, --no-precheck), up to
 * `CONFIRM_ABOVE + 1` ids are read ahead to find out; they are then sent like the rest.
 */
import { openSync } from "node:fs";
import { createInterface } from "node:readline";
import { ReadStream } from "node:tty";
import { BatchValidationError, type IdSource } from "@batch-custom-data/node";
import { count, type Io } from "../output.js";
import { nextUnless } from "../signals.js";
import { UsageError } from "../usage.js";
import type { Input } from "./input.js";

export const CONFIRM_ABOVE = 1000;

/** Asks a yes/no question; `undefined` when stopped (Ctrl-C at the prompt, or a signal). */
export type Ask = (question: string, signal: AbortSignal) => Promise<boolean | undefined>;

export type Confirmation =
  | { readonly go: true; readonly input: Input }
  | { readonly go: false; readonly why: "declined" | "stopped" }
  /** Stopped while reading ahead: `input` holds the ids read so far, to be reported. */
  | { readonly go: false; readonly why: "stopped"; readonly input: Input };

export interface ConfirmOptions {
  readonly yes: boolean;
  readonly stopSignal: AbortSignal;
  /** A way to ask on the terminal, or undefined where there is none. */
  readonly ask: () => Ask | undefined;
  readonly apps?: number;
  readonly baseUrl: string;
}

export async function confirm(input: Input, options: ConfirmOptions): Promise<Confirmation> {
  if (options.yes) return { go: true, input };
  let known = input;
  let atLeast = false;
  if (input.total === undefined) {
    const ahead = await peek(input.ids, CONFIRM_ABOVE, options.stopSignal);
    known = { ...input, ids: ahead.ids, total: ahead.ended ? ahead.count : undefined };
    if (ahead.stopped) return { go: false, why: "stopped", input: known };
    atLeast = !ahead.ended;
    if (ahead.ended && ahead.count <= CONFIRM_ABOVE) return { go: true, input: known };
  } else if (input.total <= CONFIRM_ABOVE) {
    return { go: true, input };
  }
  const what = `${atLeast ? `more than ${count(CONFIRM_ABOVE, "id")}` : count(known.total!, "id")} from ${input.name}${atLeast ? " (not read to the end yet)" : ""}`;
  const where = `${options.apps === undefined ? "" : ` in ${count(options.apps, "app")}`} at ${new URL(options.baseUrl).host}`;
  const ask = options.ask();
  if (!ask) {
    throw new UsageError(
      `This would delete the custom data of ${what}${where}, and there is no terminal to confirm it on (runs of more than ${count(CONFIRM_ABOVE, "id")} ask first): add --yes to go ahead. Nothing was sent.`,
    );
  }
  const answer = await ask(
    `Delete the custom data of ${what}${where}? This cannot be undone. [y/N] `,
    options.stopSignal,
  );
  if (answer === undefined) return { go: false, why: "stopped" };
  return answer ? { go: true, input: known } : { go: false, why: "declined" };
}

export interface Peeked {
  /** Every id of the source, the ones read ahead first; only those when stopped. */
  readonly ids: IdSource;
  readonly count: number;
  /** The source was read to its end. */
  readonly ended: boolean;
  /** `signal` fired first (stdin may wait for data forever): `ids` are the ids read. */
  readonly stopped: boolean;
}

/**
 * Reads ahead until more than `limit` ids, the end, or `signal`. A bad row found here is a
 * usage error: nothing was sent yet.
 */
export async function peek(ids: IdSource, limit: number, signal: AbortSignal): Promise<Peeked> {
  if (Array.isArray(ids)) return { ids, count: ids.length, ended: true, stopped: false };
  const source = ids as
    | Iterable<string | readonly string[]>
    | AsyncIterable<string | readonly string[]>;
  const iterator =
    Symbol.asyncIterator in source
      ? source[Symbol.asyncIterator]()
      : (source[Symbol.iterator]() as unknown as AsyncIterator<string | readonly string[]>);
  const head: (string | readonly string[])[] = [];
  let read = 0;
  while (read <= limit) {
    let next: IteratorResult<string | readonly string[]> | undefined;
    try {
      next = await nextUnless(iterator, signal);
    } catch (error) {
      if (error instanceof BatchValidationError) {
        throw new UsageError(`${error.message} Nothing was sent.`);
      }
      throw error;
    }
    if (next === undefined) {
      Promise.resolve(iterator.return?.()).catch(() => {});
      // An array: the core accounts for every id of one, whatever stops it.
      return { ids: head.flat(), count: read, ended: false, stopped: true };
    }
    if (next.done) return { ids: replay(head), count: read, ended: true, stopped: false };
    head.push(next.value);
    read += typeof next.value === "string" ? 1 : next.value.length;
  }
  return { ids: replay(head, iterator), count: read, ended: false, stopped: false };
}

/** The batches read ahead, then the rest of the source (closed with it if left early). */
async function* replay(
  head: (string | readonly string[])[],
  rest?: AsyncIterator<string | readonly string[]>,
): AsyncGenerator<string | readonly string[]> {
  yield* head;
  if (rest) yield* { [Symbol.asyncIterator]: () => rest };
}

/**
 * A terminal to ask on, if there is one: stderr shows the question, and the answer comes from
 * stdin when it is a terminal and not the ids' source, else from the controlling terminal
 * (`/dev/tty`, on Unix), so `cat ids.txt | batch-custom-data delete -` can still ask.
 */
export function terminalAsk(
  io: Pick<Io, "stdin" | "stderr">,
  idsFromStdin: boolean,
  openTty: () => NodeJS.ReadableStream | undefined = openControllingTerminal,
): Ask | undefined {
  if (!io.stderr.isTTY) return undefined;
  if (!idsFromStdin && io.stdin.isTTY) return askOn(io.stdin, io.stderr, () => {});
  const tty = openTty();
  if (!tty) return undefined;
  return askOn(tty, io.stderr, () => (tty as ReadStream).destroy?.());
}

function openControllingTerminal(): NodeJS.ReadableStream | undefined {
  try {
    return new ReadStream(openSync("/dev/tty", "r"));
  } catch {
    return undefined;
  }
}

export function askOn(
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
  release: () => void,
): Ask {
  return async (question, signal) => {
    const rl = createInterface({ input, output, terminal: true });
    try {
      return await new Promise<boolean | undefined>((resolve) => {
        // On a terminal in raw mode Ctrl-C reaches readline, not the process: a stop all the same.
        rl.on("SIGINT", () => resolve(undefined));
        rl.on("close", () => resolve(false));
        signal.addEventListener("abort", () => resolve(undefined), { once: true });
        rl.question(question, (answer) => resolve(/^\s*y(es)?\s*$/i.test(answer)));
      });
    } finally {
      rl.close();
      release();
    }
  };
}
