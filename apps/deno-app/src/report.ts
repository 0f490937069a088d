/**
 * The run's report and exit code, as the CLI has them: 0 every id confirmed, 1 some ids not
 * deleted (listed), 2 usage or configuration (including a 401, 403 or 404 from the API),
 * 130/143 after Ctrl-C or SIGTERM.
 */
import {
  BatchAbortError,
  BatchValidationError,
  type DeleteUsersReport,
  type ErrorSummary,
  type FailureRecord,
} from "@batch-custom-data/deno";

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export interface AppReport extends DeleteUsersReport {
  ok: boolean;
  exitCode: number;
  interrupted: boolean;
  error?: { name: string; message: string };
}

export interface Outcome {
  report: DeleteUsersReport;
  /** What deleteUsers threw, when it did (its report is `report`). */
  thrown?: unknown;
  /** Chunks formed but not sent because of a stop. */
  unsent: readonly (readonly string[])[];
  /** Set when a signal stopped the run. */
  stopped?: { exitCode: number; reason: string };
}

/** A 401, 403 or 404: every later call would get the same; the configuration is at fault. */
const REFUSED = new Set([401, 403, 404]);

export function buildReport({ report, thrown, unsent, stopped }: Outcome): AppReport {
  const failures: FailureRecord[] = [...report.failures];
  const notSent: ErrorSummary = {
    name: "Interrupted",
    message: "the run was stopped before this chunk's call.",
    retryable: true,
    attempts: 0,
  };
  unsent.forEach((ids) => {
    failures.push({ app: "*", chunk: -1, ids, attempted: false, error: notSent });
  });
  const unsentIds = unsent.reduce((n, ids) => n + ids.length, 0);
  const app: AppReport = {
    ...report,
    ok: false,
    exitCode: EXIT.failed,
    interrupted: stopped !== undefined,
    failed: report.failed + unsentIds,
    skipped: report.skipped - unsentIds,
    failures,
    failedIds: unsentIds > 0 ? [...report.failedIds, ...unsent.flat()] : report.failedIds,
    complete: report.complete && stopped === undefined,
  };
  const refused = report.failures.find((f) => REFUSED.has(f.error.status ?? 0));
  if (stopped) {
    app.exitCode = stopped.exitCode;
    app.error = { name: "Interrupted", message: `${capitalize(stopped.reason)}.` };
  } else if (refused) {
    app.exitCode = EXIT.usage;
    app.error = {
      name: refused.error.name,
      message: `The API refused the call (HTTP ${refused.error.status}): check BATCH_API_KEY, BATCH_REST_API_KEY and BATCH_BASE_URL. ${refused.error.message}`,
    };
  } else if (thrown instanceof BatchValidationError) {
    app.exitCode = EXIT.usage;
    app.error = { name: thrown.name, message: thrown.message };
  } else if (thrown && !(thrown instanceof BatchAbortError)) {
    app.error = { name: (thrown as Error).name, message: (thrown as Error).message };
  } else {
    app.exitCode = app.failed > 0 || !app.complete ? EXIT.failed : EXIT.ok;
  }
  app.ok = app.exitCode === EXIT.ok;
  return app;
}

const int = (n: number) => n.toLocaleString("en-US");
const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
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
    const where = f.app === "*" ? "not sent" : `chunk ${f.chunk}, app ${f.app}`;
    lines.push(`Failed: ${where}, ${int(f.ids.length)} ids: ${f.error.name}: ${f.error.message}`);
  }
  if (app.failedIds.length > 0) {
    const shown = app.failedIds.slice(0, LIST_LIMIT);
    const more = app.failedIds.length - shown.length;
    lines.push(`Failed ids${more > 0 ? ` (first ${int(LIST_LIMIT)}; --json lists all)` : ""}:`);
    lines.push(...shown.map((id) => `  ${JSON.stringify(id)}`));
  }
  return `${lines.join("\n")}\n`;
}
