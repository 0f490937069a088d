/**
 * Why and how a bulk run stops: the caller's two signals (a graceful stop, an abort), answers
 * that every later call would get too, the circuit breaker, a failing source or hook. Whatever
 * the reason, the run sends no new call and no new retry once it is stopped.
 */
import { BatchAbortError, type BatchError } from "./errors.js";
import {
  type DeleteUsersReport,
  type ErrorSummary,
  type StoppedBy,
  type StopReason,
  summarize,
} from "./report.js";
import { ABORTED } from "./send.js";

/** Statuses every later call of a run would get too (a wrong key, plan or baseUrl). */
export const HALT_STATUSES: readonly number[] = [401, 403, 404];

/** Whether a failed call halts its run: a `HALT_STATUSES` answer, or a redirect. */
export const halts = (error: ErrorSummary): boolean =>
  HALT_STATUSES.includes(error.status ?? 0) || error.name === "REDIRECTED";

/** What the chunks a stopped run never sent are reported with, after a graceful stop. */
export const STOPPED: ErrorSummary = {
  name: "STOPPED",
  message: "Not sent: the stopSignal stopped the run first.",
  retryable: true,
  attempts: 0,
};

/** A run's stop: the first reason wins, except that an abort replaces a graceful stop. */
export class RunStop {
  reason?: StopReason;
  error?: ErrorSummary;
  /** The app whose answer stopped the run (a halt, the breaker). */
  app?: string;
  /** The error the run rejects with for this reason (abort, source, hook); built at the end. */
  rejection?: (report: DeleteUsersReport) => BatchError;
  readonly #controller = new AbortController();
  readonly #listeners: [AbortSignal, () => void][] = [];

  /**
   * Listens to the caller's signals; `onStop` runs once, at the first stop (it closes the
   * source, so a read in progress ends at once).
   */
  constructor(
    { signal, stopSignal }: { signal?: AbortSignal; stopSignal?: AbortSignal },
    private readonly onStop: () => void,
  ) {
    const abort = () =>
      this.set("abort", new BatchAbortError(ABORTED), {
        rejection: (report) => new BatchAbortError(ABORTED, { report }),
      });
    for (const [source, handler] of [
      [stopSignal, () => this.set("stop")],
      [signal, abort],
    ] as const) {
      if (!source) continue;
      if (source.aborted) handler();
      else {
        source.addEventListener("abort", handler, { once: true });
        this.#listeners.push([source, handler]);
      }
    }
  }

  /** Fires at the first stop: a retry loop waiting on it gives up with its last error. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /**
   * Stops the run for `reason` (the first reason wins). `rejection` builds what the run rejects
   * with (abort, source, hook); `app` is the app whose answer stopped it (halt, breaker).
   */
  set(
    reason: StopReason,
    error?: unknown,
    { rejection, app }: { rejection?: RunStop["rejection"]; app?: string } = {},
  ): void {
    if (this.reason && !(reason === "abort" && this.reason === "stop")) return;
    this.reason = reason;
    this.error = error === undefined ? undefined : summarize(error);
    this.rejection = rejection;
    this.app = app;
    if (this.#controller.signal.aborted) return;
    this.#controller.abort();
    this.onStop();
  }

  /** What a chunk read but not sent is reported with: why the run stopped, 0 attempts. */
  get notSent(): ErrorSummary {
    if (this.reason === "stop" || !this.error) return STOPPED;
    const error = { ...this.error, attempts: 0 };
    if (this.app === undefined) return error;
    // Another call's answer: without saying so, a chunk never sent to another app would read
    // as that app's own answer (its key refused, when it was never called).
    const message = `Not sent: the run stopped on app "${this.app}"'s answer: ${error.message}`;
    return { ...error, message };
  }

  get stoppedBy(): StoppedBy | undefined {
    if (!this.reason) return undefined;
    return this.error ? { reason: this.reason, error: this.error } : { reason: this.reason };
  }

  dispose(): void {
    for (const [source, handler] of this.#listeners) source.removeEventListener("abort", handler);
  }
}

/**
 * The circuit breaker: trips once `threshold` calls in a row failed after every retry. Any
 * answer that is not such a failure (a success, a 400) shows the server alive and resets it.
 */
export class Breaker {
  #inARow = 0;
  constructor(readonly threshold: number) {}

  /** Records a call's end; true when this one trips the breaker. */
  record(outcome: "ok" | "exhausted" | "final" | "cut"): boolean {
    if (outcome === "cut") return false; // aborted or stopped: says nothing of the server
    this.#inARow = outcome === "exhausted" ? this.#inARow + 1 : 0;
    return this.#inARow === this.threshold;
  }
}
