/**
 * The run's report and exit code, as the CLI has them: 0 every id confirmed, 1 some ids not
 * deleted (listed), 2 usage or configuration (including a 401, 403, 404 or a redirect from the
 * API), 130/143 after Ctrl-C or SIGTERM. The report is the core's, as it is; why the run
 * ended early comes from its `stoppedBy`, nothing is re-counted here.
 */
import {
  type DeleteUsersReport,
  ENV,
  type ErrorSummary,
  isBatchValidationError,
} from "@batch-custom-data/deno";
import { type Stop, seconds } from "./stop.ts";

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export interface AppReport extends DeleteUsersReport {
  ok: boolean;
  exitCode: number;
  /** True when a signal stopped the run. */
  interrupted: boolean;
  /** Why the run ended early, when it did. */
  error?: { name: string; message: string };
}

export interface Outcome {
  report: DeleteUsersReport;
  /** What deleteUsers rejected with, when it did (it carries `report`). */
  error?: unknown;
}

type Signals = Pick<Stop, "signalName" | "aborted" | "graceMs" | "exitCode">;

export function buildReport({ report, error }: Outcome, stop: Signals): AppReport {
  const reason = report.stoppedBy?.reason;
  const { exitCode, why } = decide({ report, error }, stop);
  return {
    ...report,
    ok: exitCode === EXIT.ok,
    exitCode,
    interrupted: reason === "stop" || reason === "abort",
    ...(why ? { error: why } : {}),
  };
}

function decide(
  { report, error }: Outcome,
  stop: Signals,
): { exitCode: number; why?: AppReport["error"] } {
  const { stoppedBy } = report;
  if (!stoppedBy) {
    return { exitCode: report.failed > 0 || !report.complete ? EXIT.failed : EXIT.ok };
  }
  const cause = stoppedBy.error;
  switch (stoppedBy.reason) {
    case "stop":
    case "abort": {
      // Both come from our signals only: the first stops, a second or the grace aborts.
      const inFlight =
        stoppedBy.reason === "stop"
          ? "no new calls were sent, calls in flight finished"
          : stop.aborted === "grace"
            ? `no new calls were sent, calls still in flight after ${seconds(stop.graceMs)} were aborted`
            : "calls in flight were aborted";
      const message = `Interrupted by ${stop.signalName ?? "a signal"}: ${inFlight}.`;
      return { exitCode: stop.exitCode, why: { name: "Interrupted", message } };
    }
    case "halt":
      return {
        exitCode: EXIT.usage,
        why: { name: cause?.name ?? "Halted", message: refused(cause) },
      };
    case "source":
      // A bad row of stdin (a file's rows are checked before anything is sent).
      return isBatchValidationError(error)
        ? { exitCode: EXIT.usage, why: { name: error.name, message: error.message } }
        : { exitCode: EXIT.failed, why: named(cause, "the input could not be read") };
    case "breaker":
      return {
        exitCode: EXIT.failed,
        why: {
          name: "CircuitBreaker",
          message:
            `Stopped sending: calls kept failing after every retry, as if the API were down (the last: ${cause?.name}${cause?.status ? `, HTTP ${cause.status}` : ""}). Run again later with the failed ids. ${cause?.message ?? ""}`.trim(),
        },
      };
    default:
      // "hook": the progress line could not be written.
      return { exitCode: EXIT.failed, why: named(cause, `stopped (${stoppedBy.reason})`) };
  }
}

const named = (error: ErrorSummary | undefined, fallback: string) => ({
  name: error?.name ?? "Error",
  message: error?.message ?? fallback,
});

/** What to fix when the API refuses every call the same way (401, 403, 404, a redirect). */
function refused(error: ErrorSummary | undefined): string {
  const check = `check ${ENV.apiKey}, ${ENV.restApiKey} and ${ENV.baseUrl}`;
  if (!error) return `The API refused the configuration: ${check}.`;
  if (error.name === "REDIRECTED") {
    return `The API answered with a redirect, which a deletion client never follows: check ${ENV.baseUrl}. ${error.message}`;
  }
  return `The API refused the call (HTTP ${error.status}): ${check}. ${error.message}`;
}

const int = (n: number) => n.toLocaleString("en-US");
/** A human report lists this many failed ids; `--json` lists them all. */
const LIST_LIMIT = 1000;

export function humanReport(app: AppReport, source: string): string {
  const lines = [
    `${app.ok ? "Done" : "Not done"}: ${int(app.confirmed)} of ${int(app.requested)} ids from ${source} confirmed in every app; ${int(app.failed)} failed; ${int(app.calls)} call${app.calls === 1 ? "" : "s"} in ${(app.durationMs / 1000).toFixed(1)} s.`,
  ];
  if (app.tokens.length > 0) {
    lines.push(`Tokens: ${int(app.tokens.length)} (one per call; --json lists them).`);
  }
  for (const f of app.failures) {
    const sent = f.attempted ? "" : ", not sent";
    lines.push(
      `Failed: chunk ${f.chunk}, app ${f.app}${sent}, ${int(f.ids.length)} ids: ${f.error.name}: ${f.error.message}`,
    );
  }
  if (app.failedIds.length > 0) {
    const shown = app.failedIds.slice(0, LIST_LIMIT);
    const more = app.failedIds.length - shown.length;
    lines.push(`Failed ids${more > 0 ? ` (first ${int(LIST_LIMIT)}; --json lists all)` : ""}:`);
    lines.push(...shown.map((id) => `  ${JSON.stringify(id)}`));
  }
  return `${lines.join("\n")}\n`;
}
