/**
 * How a run ended, as an exit code and, when it stopped early, what to do about it. Read from
 * the core's report (`stoppedBy`) and the signals that came; nothing is re-counted here.
 */
import {
  DEFAULT_BASE_URL,
  ENV,
  type ErrorSummary,
  isBatchHookError,
  isBatchValidationError,
} from "@batch-custom-data/node";
import { EXIT } from "../output.js";
import type { Interruption } from "../signals.js";
import { JournalWriteError, type RunResult } from "./run.js";

export interface Outcome {
  readonly exitCode: number;
  /** Why the run stopped early, when it did: printed on stderr and in the report. */
  readonly error?: { readonly name: string; readonly message: string };
}

export function decide(
  { report, error }: RunResult,
  stop: Pick<Interruption, "signalName" | "aborted" | "exitCode">,
  graceMs: number,
): Outcome {
  if (stop.signalName) {
    const inFlight =
      stop.aborted === "grace"
        ? `calls still in flight after ${graceMs / 1000} s were aborted`
        : stop.aborted === "signal"
          ? "calls in flight were aborted by a second signal"
          : "calls in flight finished";
    return {
      exitCode: stop.exitCode,
      error: {
        name: "Stopped",
        message: `Stopped by ${stop.signalName}: nothing was sent after it, and ${inFlight}.`,
      },
    };
  }
  const { stoppedBy } = report;
  if (!stoppedBy)
    return { exitCode: report.failed > 0 || !report.complete ? EXIT.failed : EXIT.ok };
  const why = stoppedBy.error;
  switch (stoppedBy.reason) {
    case "halt":
      return {
        exitCode: EXIT.usage,
        error: { name: why?.name ?? "Halted", message: configurationHint(why) },
      };
    case "hook": {
      // The journal's write failure is what our onChunk hook throws: say it in our words.
      const cause = isBatchHookError(error) ? error.cause : undefined;
      const named =
        cause instanceof JournalWriteError
          ? cause
          : (why ?? { name: "Error", message: String(error) });
      return { exitCode: EXIT.failed, error: { name: named.name, message: named.message } };
    }
    case "source":
      return isBatchValidationError(error)
        ? {
            exitCode: EXIT.usage,
            error: {
              name: error.name,
              message: `${error.message} Fix the input and run again (with --resume to skip what was done).`,
            },
          }
        : { exitCode: EXIT.failed, error: named(why, "the input could not be read") };
    case "breaker":
      return {
        exitCode: EXIT.failed,
        error: {
          name: "CircuitBreaker",
          message:
            `Stopped sending: calls kept failing after every retry, as if the API were down (the last: ${why?.name}${why?.status ? `, HTTP ${why.status}` : ""}). Run again later (with --resume to skip what was done). ${why?.message ?? ""}`.trim(),
        },
      };
    default:
      // "stop" and "abort" come from our signals, handled above.
      return { exitCode: EXIT.failed, error: named(why, `stopped (${stoppedBy.reason})`) };
  }
}

function named(error: ErrorSummary | undefined, fallback: string) {
  return { name: error?.name ?? "Error", message: error?.message ?? fallback };
}

/** What to fix when the API refuses every call the same way (401, 403, 404, a redirect). */
export function configurationHint(error: ErrorSummary | undefined): string {
  if (!error)
    return `The API refused the configuration: check ${ENV.apiKey}, ${ENV.restApiKey} and ${ENV.baseUrl}.`;
  if (error.name === "REDIRECTED") {
    return `The API answered with a redirect, which a deletion client never follows: check ${ENV.baseUrl} or --base-url (e.g. ${DEFAULT_BASE_URL}). ${error.message}`;
  }
  const what = `HTTP ${error.status}${error.code ? `, code ${error.code}` : ""}, ${error.name}`;
  const fix =
    error.status === 404
      ? `check ${ENV.baseUrl} or --base-url: it must end in /1.0, e.g. ${DEFAULT_BASE_URL}`
      : error.status === 403
        ? `check ${ENV.apiKey}: does this app's plan include the Custom Data API (Premier or Enterprise)?`
        : `check ${ENV.apiKey} and ${ENV.restApiKey} (and ${ENV.baseUrl} or --base-url)`;
  return `The API refused the call (${what}): ${fix}. ${error.message}`;
}
