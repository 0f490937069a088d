/**
 * How a run ended, as an exit code and, when it stopped for a reason, what to do about it.
 * Read from the core's report and from the signals that came; nothing is re-counted here.
 */
import {
  BatchAbortError,
  BatchValidationError,
  DEFAULT_BASE_URL,
  ENV,
  type ErrorSummary,
} from "@batch-custom-data/node";
import { EXIT } from "../output.js";
import type { Interruption } from "../signals.js";
import { JournalWriteError, type RunResult } from "./run.js";

export interface Outcome {
  readonly exitCode: number;
  /** Why the run stopped early, when it did: printed on stderr and in the report. */
  readonly error?: { readonly name: string; readonly message: string };
}

/** INTERIM, until the core exports HALT_STATUSES and says `stoppedBy: "halt"`. */
const HALT_STATUSES: readonly number[] = [401, 403, 404];

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
  const refused = report.failures.find((f) => HALT_STATUSES.includes(f.error.status ?? 0));
  if (refused) {
    return {
      exitCode: EXIT.usage,
      error: { name: refused.error.name, message: configurationHint(refused.error) },
    };
  }
  if (error instanceof JournalWriteError) {
    return { exitCode: EXIT.failed, error: { name: error.name, message: error.message } };
  }
  if (error instanceof BatchValidationError) {
    return {
      exitCode: EXIT.usage,
      error: {
        name: error.name,
        message: `${error.message} Fix the input and run again (with --resume to skip what was done).`,
      },
    };
  }
  if (error !== undefined && !(error instanceof BatchAbortError)) {
    const { name = "Error", message = String(error) } = Object(error) as Partial<Error>;
    return { exitCode: EXIT.failed, error: { name, message } };
  }
  return { exitCode: report.failed > 0 || !report.complete ? EXIT.failed : EXIT.ok };
}

/** What to fix when the API refuses every call the same way (401, 403, 404). */
export function configurationHint(error: ErrorSummary): string {
  const what = `HTTP ${error.status}${error.code ? `, code ${error.code}` : ""}, ${error.name}`;
  const fix =
    error.status === 404
      ? `check ${ENV.baseUrl} or --base-url: it must end in /1.0, e.g. ${DEFAULT_BASE_URL}`
      : error.status === 403
        ? `check ${ENV.apiKey}: does this app's plan include the Custom Data API (Premier or Enterprise)?`
        : `check ${ENV.apiKey} and ${ENV.restApiKey} (and ${ENV.baseUrl} or --base-url)`;
  return `The API refused the call (${what}): ${fix}. ${error.message}`;
}
