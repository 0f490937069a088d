/**
 * Ctrl-C: the first SIGINT (or SIGTERM) stops reading ids and sending new calls, and lets the
 * calls in flight finish; a second one aborts those too. Either way the report is printed.
 */
import { EXIT } from "./output.js";

export interface Interruption {
  /** A stop was asked for: read no more ids, send no new call. */
  readonly stopped: boolean;
  /** A second signal came: calls in flight are aborted (`signal` fired). */
  readonly forced: boolean;
  readonly signal: AbortSignal;
  /** 130 after SIGINT, 143 after SIGTERM. */
  readonly exitCode: number;
  readonly signalName: string;
  /** Resolves at the first stop. */
  readonly whenStopped: Promise<void>;
  /** Stops, as a signal would. */
  stop(signalName?: "SIGINT" | "SIGTERM"): void;
  dispose(): void;
}

export function createInterruption(
  proc?: Pick<NodeJS.Process, "on" | "off">,
  notify?: (message: string) => void,
): Interruption {
  const controller = new AbortController();
  let release!: () => void;
  const whenStopped = new Promise<void>((resolve) => {
    release = resolve;
  });
  const state = { stopped: false, forced: false, name: "SIGINT" as "SIGINT" | "SIGTERM" };
  const stop = (name: "SIGINT" | "SIGTERM" = "SIGINT") => {
    if (!state.stopped) {
      state.stopped = true;
      state.name = name;
      notify?.(
        `\n${name}: finishing the calls in flight, sending nothing new (${name === "SIGINT" ? "Ctrl-C" : "signal"} again to abort them).\n`,
      );
      release();
    } else if (!state.forced) {
      state.forced = true;
      notify?.(`\n${name}: aborting the calls in flight.\n`);
      controller.abort();
    }
  };
  const onInt = () => stop("SIGINT");
  const onTerm = () => stop("SIGTERM");
  proc?.on("SIGINT", onInt);
  proc?.on("SIGTERM", onTerm);
  return {
    get stopped() {
      return state.stopped;
    },
    get forced() {
      return state.forced;
    },
    signal: controller.signal,
    get exitCode() {
      return state.name === "SIGTERM" ? EXIT.terminated : EXIT.interrupted;
    },
    get signalName() {
      return state.name;
    },
    whenStopped,
    stop,
    dispose() {
      proc?.off("SIGINT", onInt);
      proc?.off("SIGTERM", onTerm);
    },
  };
}

/**
 * Ends `source` once a stop is asked for. With `race` (a source that can wait for input
 * indefinitely, like stdin) a pending read is raced rather than awaited, and the source is
 * closed in the background; without it (a file, arguments) the stop is checked before each
 * read, which costs nothing per id.
 */
export function interruptible<T>(
  source: Iterable<T> | AsyncIterable<T>,
  stop: Interruption,
  race = false,
): AsyncIterable<T> {
  if (!race) {
    return (async function* () {
      for await (const item of source) {
        if (stop.stopped) return;
        yield item;
      }
    })();
  }
  return {
    [Symbol.asyncIterator]() {
      const it: Iterator<T> | AsyncIterator<T> =
        Symbol.asyncIterator in source
          ? (source as AsyncIterable<T>)[Symbol.asyncIterator]()
          : (source as Iterable<T>)[Symbol.iterator]();
      const ended: IteratorResult<T> = { done: true, value: undefined };
      // One reaction on the stop, registered once, wakes whichever read is pending. Racing
      // each read against the long-lived stop promise instead would leave a reaction per id
      // on it, each keeping its id reachable: memory growing with the input.
      let wake: ((result: IteratorResult<T>) => void) | undefined;
      stop.whenStopped.then(() => wake?.(ended));
      const close = () => {
        Promise.resolve(it.return?.()).catch(() => {});
      };
      return {
        async next() {
          if (stop.stopped) return ended;
          const next = Promise.resolve(it.next());
          next.catch(() => {}); // if the stop wins, a later failure of this read is moot
          const result = await new Promise<IteratorResult<T>>((resolve, reject) => {
            wake = resolve;
            next.then(resolve, reject);
          }).finally(() => {
            wake = undefined;
          });
          if (stop.stopped && result === ended) close();
          return result;
        },
        async return() {
          close();
          return ended;
        },
      };
    },
  };
}
