/**
 * The report, as text for people or as one JSON document. Keys are redacted in every string
 * but the ids the user gets back (`failedIds`, each failure's `ids`): an id is printed as it
 * is, even one that happens to contain a key.
 */
import type { DeleteUsersReport } from "@batch-custom-data/node";
import { count, int, type Piece, type Redactor, seconds, Verbatim } from "../output.js";
import type { Outcome } from "./outcome.js";
import type { JournalSummary, RunResult } from "./run.js";

/** Human summaries list this many failed ids; `--json` lists them all. */
export const LIST_LIMIT = 1000;

/** The CLI's report: the core's as it is, plus what the run was and how it ended. */
export interface CliReport extends DeleteUsersReport {
  ok: boolean;
  exitCode: number;
  /** A SIGINT or SIGTERM stopped the run. */
  interrupted: boolean;
  apps: number;
  chunkSize: number;
  error?: Outcome["error"];
  journal?: JournalSummary;
}

export function buildReport(
  { report, journal }: RunResult,
  outcome: Outcome,
  run: { apps: number; chunkSize: number; interrupted: boolean },
): CliReport {
  return {
    ok: outcome.exitCode === 0,
    exitCode: outcome.exitCode,
    interrupted: run.interrupted,
    ...report,
    apps: run.apps,
    chunkSize: run.chunkSize,
    ...(outcome.error && { error: outcome.error }),
    ...(journal && { journal }),
  };
}

/**
 * One JSON document on one line. Each string is redacted on its own, before JSON escapes it,
 * except in the arrays of ids listed in `verbatim`.
 */
export function json(value: object, redact: Redactor, verbatim: readonly unknown[] = []): Verbatim {
  const ids = new Set(verbatim);
  const text = JSON.stringify(value, function (this: unknown, _key, item: unknown) {
    return typeof item === "string" && !ids.has(this) ? redact(item) : item;
  });
  return new Verbatim(`${text}\n`);
}

export function reportJson(report: CliReport, redact: Redactor): Verbatim {
  return json(report, redact, [report.failedIds, ...report.failures.map((f) => f.ids)]);
}

export function reportText(report: CliReport, sourceName: string): Piece[] {
  const lines: string[] = [];
  const skipped = report.skipped
    ? `, ${int(report.skipped)} skipped (confirmed by an earlier run)`
    : "";
  lines.push(
    `${report.ok ? "Done" : "Not done"}: ${int(report.confirmed)} of ${count(report.requested, "id")} from ${sourceName} confirmed in every app (${count(report.apps, "app")}); ${int(report.failed)} failed${skipped}; ${count(report.calls, "call")} in ${seconds(report.durationMs)}.`,
  );
  if (!report.complete && !report.interrupted && !report.ok) {
    lines.push("The input was not read to the end: ids after the failure were not sent.");
  }
  if (report.journal) {
    lines.push(
      `Journal ${report.journal.path}: ${count(report.journal.skippedChunks, "chunk")} skipped, ${count(report.journal.written, "chunk")} recorded.`,
    );
  }
  if (report.tokens.length > 0) {
    lines.push(`Tokens (${int(report.tokens.length)}, one per call):`);
    for (const t of report.tokens) {
      lines.push(`  ${t.token}  chunk ${t.chunk}, app ${t.app}, ${count(t.ids, "id")}`);
    }
  }
  if (report.failures.length === 0) return [`${lines.join("\n")}\n`];
  lines.push("Failed calls:");
  for (const f of report.failures) {
    const status = f.error.status ? ` (HTTP ${f.error.status})` : "";
    const tries = f.attempted ? `, ${count(f.error.attempts, "attempt")}` : ", not sent";
    lines.push(
      `  chunk ${f.chunk}, app ${f.app}, ${count(f.ids.length, "id")}: ${f.error.name}${status}${tries}: ${f.error.message}`,
    );
  }
  lines.push(`Failed ids (${int(report.failedIds.length)}), to retry:`);
  const listed = report.failedIds.slice(0, LIST_LIMIT).map((id) => `  ${JSON.stringify(id)}\n`);
  const pieces: Piece[] = [`${lines.join("\n")}\n`, new Verbatim(listed.join(""))];
  if (report.failedIds.length > LIST_LIMIT) {
    pieces.push(
      `  … and ${int(report.failedIds.length - LIST_LIMIT)} more: run with --json for every id.\n`,
    );
  }
  return pieces;
}

/** What a dry run found: nothing was sent. */
export interface Plan {
  ok: boolean;
  exitCode: number;
  dryRun: true;
  /** Stopped by a signal before the input was read to the end. */
  interrupted: boolean;
  ids: number;
  chunkSize: number;
  chunks: number;
  /** Unknown (null) without BATCH_API_KEY. */
  apps: number | null;
  /** Calls a run would send: chunks not skipped × apps; null without BATCH_API_KEY. */
  calls: number | null;
  journal?: { path: string; confirmedChunks: number; skippedChunks: number; skippedIds: number };
}

export function planText(plan: Plan, sourceName: string): string {
  const { ids, chunks, chunkSize, apps, calls, journal } = plan;
  const perApp = `${count(chunks, "chunk")} of up to ${count(chunkSize, "id")}`;
  const lines = [
    `Dry run: ${count(ids, "valid id")} from ${sourceName}${plan.interrupted ? " (stopped: the input was not read to the end)" : ""}.`,
    apps === null
      ? `Plan: ${perApp}, one call per chunk in each app (BATCH_API_KEY is not set: apps unknown).`
      : `Plan: ${perApp} × ${count(apps, "app")} = ${count(chunks * apps, "call")}.`,
  ];
  if (journal) {
    const skipped = `${count(journal.skippedChunks, "chunk")} (${count(journal.skippedIds, "id")}) already confirmed would be skipped`;
    lines.push(
      `Journal ${journal.path}: ${skipped}${calls === null ? "" : `: ${count(calls, "call")} to send`}.`,
    );
  }
  lines.push("Nothing was sent.");
  return `${lines.join("\n")}\n`;
}
