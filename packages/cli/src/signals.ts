/**
 * SIGINT and SIGTERM. The first one stops: no id read, no call and no retry sent after it, and
 * the calls in flight get a grace period (10 s by default) to finish before they are aborted.
 * A second signal aborts them at once. Either way the report is printed, and the exit code
 * says which signal came (130, 143).
 */
import { EXIT } from "./output.js";

export type SignalName = "SIGINT" | "SIGTERM";

export interface Interruption {
  /** Fires at the first signal: the run's graceful stop. */
  readonly stopSignal: AbortSignal;
  /** Fires at a second signal, or when the grace after the first runs out: abort the calls. */
  readonly abortSignal: AbortSignal;
  /** The first signal that came, if any. */
  readonly signalName: SignalName | undefined;
  /** What aborted the calls in flight, if anything did. */
  readonly aborted: "signal" | "grace" | undefined;
  /** 130 after SIGINT, 143 after SIGTERM. */
  readonly exitCode: number;
  /** Stops, as a signal would (the second call aborts). */
  stop(name?: SignalName): void;
  dispose(): void;
}

export interface InterruptionOptions {
  /** Where signals come from (the process); tests pass their own. */
  proc?: Pick<NodeJS.Process, "on" | "off">;
  /** How long calls in flight may take after the first signal (default 10 s). */
  graceMs?: number;
  notify?: (message: string) => void;
}

export const DEFAULT_GRACE_MS = 10_000;

export function createInterruption(options: InterruptionOptions = {}): Interruption {
  const { proc, graceMs = DEFAULT_GRACE_MS, notify } = options;
  const stopper = new AbortController();
  const aborter = new AbortController();
  let name: SignalName | undefined;
  let aborted: "signal" | "grace" | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const abort = (why: "signal" | "grace", message: string) => {
    if (aborted) return;
    aborted = why;
    clearTimeout(timer);
    notify?.(message);
    aborter.abort(new Error(message.trim()));
  };
  const stop = (signal: SignalName = "SIGINT") => {
    if (name === undefined) {
      name = signal;
      const again = signal === "SIGINT" ? "Ctrl-C" : "a second signal";
      notify?.(
        `\n${signal}: stopping. No new call or retry; calls in flight get ${seconds(graceMs)} to finish, then are aborted (${again} aborts them now).\n`,
      );
      stopper.abort(new Error(`Stopped by ${signal}.`));
      timer = setTimeout(
        () =>
          abort(
            "grace",
            `\nCalls still in flight ${seconds(graceMs)} after ${signal}: aborting them.\n`,
          ),
        graceMs,
      );
      // The calls in flight keep the process alive; the timer alone must not.
      timer.unref?.();
    } else {
      abort("signal", `\n${signal}: aborting the calls in flight.\n`);
    }
  };
  const onInt = () => stop("SIGINT");
  const onTerm = () => stop("SIGTERM");
  proc?.on("SIGINT", onInt);
  proc?.on("SIGTERM", onTerm);
  return {
    stopSignal: stopper.signal,
    abortSignal: aborter.signal,
    get signalName() {
      return name;
    },
    get aborted() {
      return aborted;
    },
    get exitCode() {
      return name === "SIGTERM" ? EXIT.terminated : EXIT.interrupted;
    },
    stop,
    dispose() {
      clearTimeout(timer);
      proc?.off("SIGINT", onInt);
      proc?.off("SIGTERM", onTerm);
    },
  };
}

const seconds = (ms: number) => `${ms / 1000} s`;

/**
 * The next item of `iterator`, or `undefined` once `signal` fires, even while the read waits
 * (stdin, a FIFO with nothing coming). One listener per read, removed when it settles: racing
 * a long-lived promise instead would keep every item read reachable through its reactions.
 */
export function nextUnless<T>(
  iterator: AsyncIterator<T>,
  signal: AbortSignal,
): Promise<IteratorResult<T> | undefined> {
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(undefined);
    signal.addEventListener("abort", onAbort, { once: true });
    const next = Promise.resolve(iterator.next());
    next.catch(() => {}); // a read that fails after the stop won is moot
    next.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
