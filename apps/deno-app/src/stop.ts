/**
 * SIGINT and SIGTERM, as the CLI has them. The first one is the core's graceful stop
 * (`stopSignal`: no id read, no call and no retry sent after it) and gives the calls in flight
 * a grace (10 s by default) to finish before they are aborted; a second one aborts them at
 * once (`abortSignal`). The exit code says which signal came first (130, 143).
 */
export type SignalName = "SIGINT" | "SIGTERM";

const EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

export const DEFAULT_GRACE_MS = 10_000;

export interface Stop {
  /** Fires at the first signal: the run's graceful stop. */
  readonly stopSignal: AbortSignal;
  /** Fires at a second signal, or when the grace after the first runs out. */
  readonly abortSignal: AbortSignal;
  /** The first signal that came, if any. */
  readonly signalName: SignalName | undefined;
  /** What aborted the calls in flight, if anything did. */
  readonly aborted: "signal" | "grace" | undefined;
  /** How long calls in flight may take after the first signal. */
  readonly graceMs: number;
  /** 130 after SIGINT, 143 after SIGTERM. */
  readonly exitCode: number;
  dispose(): void;
}

/** Where signals come from: `Deno`, or a test's stand-in. */
export type SignalSource = Pick<typeof Deno, "addSignalListener" | "removeSignalListener">;

export interface StopOptions {
  notify: (message: string) => void;
  graceMs?: number;
  signals?: SignalSource;
}

export function listenForStop(options: StopOptions): Stop {
  const { notify, graceMs = DEFAULT_GRACE_MS, signals = Deno } = options;
  const stopper = new AbortController();
  const aborter = new AbortController();
  let name: SignalName | undefined;
  let aborted: Stop["aborted"];
  let timer: ReturnType<typeof setTimeout> | undefined;

  const abort = (why: "signal" | "grace", message: string) => {
    if (aborted) return;
    aborted = why;
    clearTimeout(timer);
    notify(message);
    aborter.abort();
  };
  const onSignal = (signal: SignalName) => {
    if (name !== undefined) return abort("signal", `${signal}: aborting the calls in flight.`);
    name = signal;
    notify(
      `${signal}: finishing the calls in flight (at most ${seconds(graceMs)}), sending nothing new (again to abort them).`,
    );
    stopper.abort();
    const message = `Calls still in flight ${seconds(graceMs)} after ${signal}: aborting them.`;
    timer = setTimeout(() => abort("grace", message), graceMs);
    // The calls in flight keep the process alive; the timer alone must not.
    Deno.unrefTimer(timer);
  };
  const listeners = (Object.keys(EXIT_CODES) as SignalName[]).map((signal) => {
    const listener = () => onSignal(signal);
    signals.addSignalListener(signal, listener);
    return [signal, listener] as const;
  });
  return {
    stopSignal: stopper.signal,
    abortSignal: aborter.signal,
    get signalName() {
      return name;
    },
    get aborted() {
      return aborted;
    },
    graceMs,
    get exitCode() {
      return EXIT_CODES[name ?? "SIGINT"];
    },
    dispose() {
      clearTimeout(timer);
      for (const [signal, listener] of listeners) signals.removeSignalListener(signal, listener);
    },
  };
}

export const seconds = (ms: number): string => `${ms / 1000} s`;
