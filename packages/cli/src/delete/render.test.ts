import type { DeleteUsersReport } from "@batch-custom-data/node";
import { describe, expect, it } from "vitest";
import { createRedactor, type Piece, Verbatim } from "../output.js";
import {
  buildReport,
  type CliReport,
  json,
  LIST_LIMIT,
  type Plan,
  planText,
  reportJson,
  reportText,
} from "./render.js";

const KEY = "render_key_1234567";
const redact = createRedactor([KEY]);
const text = (pieces: Piece[]) =>
  pieces.map((p) => (p instanceof Verbatim ? p.text : redact(p))).join("");

const core: DeleteUsersReport = {
  requested: 3,
  confirmed: 2,
  failed: 1,
  skipped: 0,
  calls: 2,
  tokens: [{ app: "0", chunk: 0, ids: 2, token: "tok-0" }],
  failures: [
    {
      app: "0",
      chunk: 1,
      ids: [`user-${KEY}`],
      attempted: true,
      error: {
        name: "MALFORMED_PARAMETER",
        message: `bad id at /1.0/${KEY}/data/users`,
        status: 400,
        code: 31,
        retryable: false,
        attempts: 1,
      },
    },
  ],
  failedIds: [`user-${KEY}`],
  complete: true,
  durationMs: 1234,
};

const cli = (over: Partial<CliReport> = {}): CliReport => ({
  ...buildReport({ report: core }, { exitCode: 1 }, { apps: 1, chunkSize: 2, interrupted: false }),
  ...over,
});

describe("buildReport", () => {
  it("the core's report as it is, with how the run ended", () => {
    const report = buildReport(
      { report: core, journal: { path: "j", skippedChunks: 0, written: 1, mismatched: 0 } },
      { exitCode: 2, error: { name: "N", message: "m" } },
      { apps: 2, chunkSize: 2, interrupted: false },
    );
    expect(Object.keys(report).slice(0, 3)).toEqual(["ok", "exitCode", "interrupted"]);
    expect(report).toMatchObject({ ...core, ok: false, exitCode: 2, apps: 2, chunkSize: 2 });
    expect(report.failedIds).toBe(core.failedIds);
    expect(report.error).toEqual({ name: "N", message: "m" });
    expect(report.journal?.written).toBe(1);
    expect("error" in cli()).toBe(false);
  });
});

describe("JSON", () => {
  it("redacts keys in every string but the ids the user gets back", () => {
    const out = JSON.parse(reportJson(cli(), redact).text);
    expect(out.failedIds).toEqual([`user-${KEY}`]);
    expect(out.failures[0].ids).toEqual([`user-${KEY}`]);
    expect(out.failures[0].error.message).toBe("bad id at /1.0/***/data/users");
    expect(json({ a: [KEY], b: { c: `x${KEY}` } }, redact).text).toBe(
      '{"a":["***"],"b":{"c":"x***"}}\n',
    );
  });
});

describe("human report", () => {
  it("summary, tokens, failed calls, then the failed ids as they are", () => {
    const out = text(reportText(cli(), "ids.txt"));
    expect(out).toBe(
      [
        "Not done: 2 of 3 ids from ids.txt confirmed in every app (1 app); 1 failed; 2 calls in 1.2 s.",
        "Tokens (1, one per call):",
        "  tok-0  chunk 0, app 0, 2 ids",
        "Failed calls:",
        "  chunk 1, app 0, 1 id: MALFORMED_PARAMETER (HTTP 400), 1 attempt: bad id at /1.0/***/data/users",
        "Failed ids (1), to retry:",
        `  "user-${KEY}"`,
        "",
      ].join("\n"),
    );
  });

  it("done, skipped, journal, a run stopped early, not sent", () => {
    const done = text(
      reportText(
        cli({
          ok: true,
          exitCode: 0,
          confirmed: 3,
          failed: 0,
          skipped: 4,
          failures: [],
          failedIds: [],
          tokens: [],
          journal: { path: "j.journal", skippedChunks: 2, written: 1, mismatched: 0 },
        }),
        "ids.txt",
      ),
    );
    expect(done).toBe(
      "Done: 3 of 3 ids from ids.txt confirmed in every app (1 app); 0 failed, 4 skipped (confirmed by an earlier run); 2 calls in 1.2 s.\nJournal j.journal: 2 chunks skipped, 1 chunk recorded.\n",
    );
    const cut = text(
      reportText(
        cli({
          complete: false,
          failures: [
            {
              ...core.failures[0]!,
              attempted: false,
              error: { ...core.failures[0]!.error, status: undefined },
            },
          ],
        }),
        "stdin",
      ),
    );
    expect(cut).toContain(
      "The input was not read to the end: ids after the failure were not sent.",
    );
    expect(cut).toContain("1 id: MALFORMED_PARAMETER, not sent: ");
    const stopped = text(reportText(cli({ complete: false, interrupted: true }), "stdin"));
    expect(stopped).not.toContain("not read to the end");
  });

  it(`lists the first ${LIST_LIMIT} failed ids; --json has them all`, () => {
    const many = Array.from({ length: LIST_LIMIT + 5 }, (_, i) => `u${i}`);
    const out = text(reportText(cli({ failedIds: many }), "x"));
    expect(out).toContain(`  "u${LIST_LIMIT - 1}"\n`);
    expect(out).not.toContain(`"u${LIST_LIMIT}"`);
    expect(out).toMatch(/ {2}… and 5 more: run with --json for every id\.\n$/);
  });
});

describe("dry run", () => {
  const plan: Plan = {
    ok: true,
    exitCode: 0,
    dryRun: true,
    interrupted: false,
    ids: 25_000,
    chunkSize: 10_000,
    chunks: 3,
    apps: 2,
    calls: 4,
    journal: { path: "j", confirmedChunks: 1, skippedChunks: 1, skippedIds: 10_000 },
  };

  it("the plan, in chunks, apps and calls", () => {
    expect(planText(plan, "ids.txt")).toBe(
      [
        "Dry run: 25,000 valid ids from ids.txt.",
        "Plan: 3 chunks of up to 10,000 ids × 2 apps = 6 calls.",
        "Journal j: 1 chunk (10,000 ids) already confirmed would be skipped: 4 calls to send.",
        "Nothing was sent.",
        "",
      ].join("\n"),
    );
  });

  it("without keys, and stopped early", () => {
    const keyless = planText({ ...plan, apps: null, calls: null, interrupted: true }, "stdin");
    expect(keyless).toContain("(stopped: the input was not read to the end)");
    expect(keyless).toContain(
      "Plan: 3 chunks of up to 10,000 ids, one call per chunk in each app (BATCH_API_KEY is not set: apps unknown).",
    );
    expect(keyless).toContain("already confirmed would be skipped.\n");
  });
});
