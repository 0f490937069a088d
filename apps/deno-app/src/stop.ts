/**
 * Ctrl-C the way the CLI does it: the first SIGINT (or SIGTERM) stops reading ids and sending
 * new calls while the calls in flight finish; a second one aborts those too. Either way the
 * report is printed, and the exit code says which signal stopped the run (130 or 143).
 */
export interface Stop {
  /** Set at the first signal: read no more ids, send no new call. */
  readonly stopped: boolean;
  /** Fires at the second signal: calls in flight are aborted. */
  readonly signal: AbortSignal;
  /** Resolves at the first signal. */
  readonly whenStopped: Promise<void>;
  /** 130 after SIGINT, 143 after SIGTERM. */
  readonly exitCode: number;
  readonly reason: string;
  dispose(): void;
}

const SIGNALS = { SIGINT: 130, SIGTERM: 143 } as const;
type SignalName = keyof typeof SIGNALS;

export function listenForStop(notify: (message: string) => void): Stop {
  const abort = new AbortController();
  const { promise: whenStopped, resolve } = Promise.withResolvers<void>();
  let stoppedBy: SignalName | undefined;
  const listeners = (Object.keys(SIGNALS) as SignalName[]).map((name) => {
    const listener = () => {
      if (stoppedBy === undefined) {
        stoppedBy = name;
        notify(
          `${name}: finishing the calls in flight, sending nothing new (again to abort them).`,
        );
        resolve();
      } else if (!abort.signal.aborted) {
        notify(`${name}: aborting the calls in flight.`);
        abort.abort();
      }
    };
    Deno.addSignalListener(name, listener);
    return [name, listener] as const;
  });
  return {
    get stopped() {
      return stoppedBy !== undefined;
    },
    signal: abort.signal,
    whenStopped,
    get exitCode() {
      return SIGNALS[stoppedBy ?? "SIGINT"];
    },
    get reason() {
      return `interrupted by ${stoppedBy ?? "a signal"}${abort.signal.aborted ? ": calls in flight were aborted" : ": no new calls were sent, calls in flight finished"}`;
    },
    dispose() {
      for (const [name, listener] of listeners) Deno.removeSignalListener(name, listener);
    },
  };
}

/**
 * Ends `source` at the first stop. A read still waiting (stdin with nothing to say) is not
 * awaited: one reaction on the stop wakes it. Racing every read against the stop promise
 * instead would leave a reaction per batch on it, each keeping its ids reachable.
 */
export function untilStopped<T>(source: AsyncIterable<T>, stop: Stop): AsyncIterable<T> {
  const ended: IteratorResult<T> = { done: true, value: undefined };
  const it = source[Symbol.asyncIterator]();
  let wake: ((result: IteratorResult<T>) => void) | undefined;
  stop.whenStopped.then(() => {
    wake?.(ended);
    // Let go of the input; a read stuck on stdin is left to Deno.exit.
    Promise.resolve(it.return?.()).catch(() => {});
  });
  return {
    [Symbol.asyncIterator]: () => ({
      next: () =>
        stop.stopped
          ? Promise.resolve(ended)
          : new Promise<IteratorResult<T>>((resolve, reject) => {
              wake = resolve;
              it.next().then(resolve, reject);
            }).finally(() => {
              wake = undefined;
            }),
      return: async () => {
        await it.return?.();
        return ended;
      },
    }),
  };
}
