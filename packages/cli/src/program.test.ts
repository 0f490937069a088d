/**
 * The CLI in-process (`main` with fake streams), against the emulator served on 127.0.0.1:
 * the same paths as the end-to-end tests of the built CLI, here for quick feedback and coverage.
 */

import { EventEmitter } from "node:events";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { createEmulator } from "@batch-custom-data/emulator";
import { type ServedEmulator, serve } from "@batch-custom-data/emulator/node";
import { API_KEY as APP, REST_KEY as REST } from "@batch-custom-data/test-helpers";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { capturedOutput } from "../test/streams.js";
import { main } from "./program.js";

let dir: string;
let served: ServedEmulator;
const texts: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "bcd-main-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  for (const text of texts) {
    expect(text).not.toContain(APP);
    expect(text).not.toContain(REST);
  }
});
beforeEach(async () => {
  served = await serve(
    createEmulator({ apps: [APP], restApiKey: REST, processingDelayMs: 0, maxIdLength: 40 }),
    { port: 0, closeGraceMs: 100 },
  );
});
afterEach(async () => {
  await served.close();
});

async function run(
  argv: string[],
  options: { env?: Record<string, string>; stdin?: string; proc?: EventEmitter } = {},
) {
  const { stdout, stderr, out, err } = capturedOutput();
  const env = {
    BATCH_API_KEY: APP,
    BATCH_REST_API_KEY: REST,
    BATCH_BASE_URL: served.baseUrl,
    ...options.env,
  };
  const stdin = Readable.from([options.stdin ?? ""]);
  const proc = options.proc ?? new EventEmitter();
  const code = await main({
    io: { stdout, stderr, stdin, env } as never,
    argv,
    proc: proc as never,
  });
  texts.push(out() + err());
  return { code, out: out(), err: err() };
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => `u${i + 1}`);

describe("main (in-process)", () => {
  it("deletes ids from a file; --json prints one report", async () => {
    served.emulator.seed(APP, ids(25));
    const path = join(dir, "a.txt");
    await writeFile(path, ids(25).join("\n"));
    const r = await run(["delete", "--file", path, "--chunk-size", "10", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ ok: true, confirmed: 25, calls: 3 });
    await served.emulator.settled();
    expect(served.emulator.count(APP)).toBe(0);
  });

  it("human report with a refused chunk: exit 1, ids listed", async () => {
    const list = [...ids(5), "x".repeat(50)];
    const r = await run(["delete", "--chunk-size", "3", "--", ...list]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^Not done: 3 of 6 ids from arguments/);
    expect(r.out).toMatch(/chunk 1, app 0, 3 ids: MALFORMED_PARAMETER \(HTTP 400\), 1 attempt/);
    expect(r.out).toContain('Failed ids (3), to retry:\n  "u4"\n  "u5"');
  });

  it("stdin, csv and ndjson", async () => {
    expect((await run(["delete", "--file", "-", "--json"], { stdin: "a\nb\n" })).code).toBe(0);
    const csv = await run(
      ["delete", "--file", "-", "--format", "csv", "--column", "1", "--delimiter", ";"],
      {
        stdin: "x;a\ny;b\n",
      },
    );
    expect(csv.code).toBe(0);
    const nd = await run(["delete", "--file", "-", "--format", "ndjson", "--json"], {
      stdin: '{"id":"a"}\n{"id":1}\n',
    });
    expect(nd.code).toBe(2);
    expect(JSON.parse(nd.out).error.message).toMatch(/stdin line 2/);
  });

  it("dry run, with and without a journal", async () => {
    const path = join(dir, "dry.csv");
    await writeFile(path, "id\na\nb\nc\n");
    const csvFile = ["delete", "--file", path, "--column", "id"];
    const r = await run([...csvFile, "--dry-run", "--chunk-size", "2"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("2 chunks of up to 2 ids × 1 app = 2 calls");
    const journal = join(dir, "dry.journal");
    expect((await run([...csvFile, "--resume", journal, "--chunk-size", "2"])).code).toBe(0);
    const again = await run([...csvFile, "--resume", journal, "--dry-run", "--json"]);
    expect(JSON.parse(again.out)).toMatchObject({
      dryRun: true,
      ids: 3,
      calls: 0,
      journal: { confirmedChunks: 2, skippedChunks: 2, skippedIds: 3 },
    });
    expect(served.emulator.stats().requests).toBe(2);
  });

  it("configuration and usage errors: exit 2", async () => {
    const cases: [string[], Record<string, string>, RegExp][] = [
      [["delete", "a"], { BATCH_API_KEY: "" }, /BATCH_API_KEY is not set/],
      [
        ["delete", "a", "--base-url", "ftp://x"],
        {},
        /--base-url: baseUrl must be an http\(s\) URL/,
      ],
      [
        ["delete", "--file", "-", "--column", "id", "--format", "ndjson"],
        {},
        /apply to --format csv/,
      ],
      [["delete", "a", "--format", "csv"], {}, /apply to --file/],
      [["delete", "--file", "-", "--column", "0", "--delimiter", ";;"], {}, /one character/],
      [["delete", "--file", ""], {}, /needs a path/],
      [["delete", "a", "--resume", dir], {}, /--resume .*cannot use this file \(EISDIR\)/],
      [["delete", "a"], { BATCH_REST_API_KEY: "" }, /BATCH_REST_API_KEY is not set/],
      [["delete", "a"], { BATCH_BASE_URL: "nope" }, /^BATCH_BASE_URL: /],
      [["delete"], {}, /No ids given/],
      [["delete", "a", "--file", "x"], {}, /not both/],
      [["delete", "--file", join(dir, "missing.txt")], {}, /no such file/],
      [["delete", "--file", dir], {}, /is a directory/],
      [["delete", "--file", "-", "--format", "csv"], {}, /needs --column/],
      [["delete", "--file", "-", "--field", "id", "--format", "lines"], {}, /--field applies to/],
      [
        ["delete", "--concurrency", "0", "a"],
        {},
        /--concurrency must be a whole number from 1 to 256/,
      ],
      [["delete", "--chunk-size", "10001", "a"], {}, /--chunk-size must be/],
      [["delete", "--stop-grace", "-1", "a"], {}, /--stop-grace must be/],
      [
        ["delete", "--format", "xml", "--file", "-"],
        {},
        /Allowed choices are lines, csv, ndjson, json/,
      ],
      [["delete", "--bogus", "a"], {}, /unknown option '--bogus'/],
      [["delete", ""], {}, /Argument 1: the id is empty/],
      [["delete", "a", "-"], {}, /- \(stdin\) is the only input/],
      [["frobnicate"], {}, /unknown command/],
      [[], {}, /^$/],
    ];
    for (const [argv, env, message] of cases) {
      const r = await run(argv, { env });
      expect(r.code, argv.join(" ")).toBe(2);
      expect(r.out, argv.join(" ")).toBe("");
      expect(r.err.replace(/^error: /, ""), argv.join(" ")).toMatch(
        argv.length ? message : /Usage/,
      );
    }
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
    expect((await run(["--version"])).out).toBe(`${pkg.version}\n`);
  });

  it("--help of each command: examples, environment, exit codes; no odd defaults", async () => {
    const top = await run(["--help"]);
    expect(top.code).toBe(0);
    expect(top.out).toMatch(/Examples:[\s\S]*Each command's --help/);
    const help = (await run(["delete", "--help"])).out;
    for (const part of [
      "--resume <JOURNAL>",
      "-y, --yes",
      "-q, --quiet",
      "--progress",
      "--stop-grace <MS>",
      "Examples:",
      "batch-custom-data delete - --yes --json",
      "Environment:",
      "BATCH_API_KEY",
      "BATCH_REST_API_KEY",
      "BATCH_CHUNK_SIZE",
      "NODE_DEBUG",
      "Exit codes:",
      "130  stopped by SIGINT (143: SIGTERM)",
      "Confirmation:",
    ]) {
      expect(help, part).toContain(part);
    }
    const emulator = (await run(["emulator", "--help"])).out;
    expect(emulator).toMatch(/Examples:[\s\S]*Exit codes:/);
    expect(emulator).toContain("(default: a made-up one, printed)");
    expect(emulator).not.toContain("(default: [])");
  });

  it("- reads stdin; more than 1,000 ids without a terminal need --yes", async () => {
    served.emulator.seed(APP, ["u1", "u2", "-"]);
    const dash = await run(["delete", "-", "--json"], { stdin: "u1\nu2\n" });
    expect(dash.code).toBe(0);
    expect(JSON.parse(dash.out)).toMatchObject({ requested: 2, confirmed: 2 });
    await served.emulator.settled();
    expect(served.emulator.users(APP)).toEqual(["-"]);

    const many = ids(1001).join("\n");
    const refused = await run(["delete", "-", "--json"], { stdin: many });
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/more than 1,000 ids from stdin .*no terminal .*add --yes/);
    expect(JSON.parse(refused.out)).toMatchObject({ ok: false, exitCode: 2 });
    expect(served.emulator.stats().requests).toBe(1);
    const forced = await run(["delete", "-", "--json", "--yes"], { stdin: many });
    expect(JSON.parse(forced.out)).toMatchObject({ confirmed: 1001 });
  });

  it("--dry-run needs no key; --quiet and --progress decide what goes to stderr", async () => {
    const dry = await run(["delete", "a", "b", "--dry-run", "--json"], {
      env: { BATCH_API_KEY: "", BATCH_REST_API_KEY: "" },
    });
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.out)).toMatchObject({ dryRun: true, ids: 2, apps: null, calls: null });

    const plain = await run(["delete", "a"]);
    expect(plain.err).toBe("");
    const progress = await run(["delete", "a", "--progress"]);
    expect(progress.err).toMatch(/^progress: 1\/1 ids \(100%\), 1 confirmed/);
    const both = await run(["delete", "a", "--progress", "--quiet"]);
    expect(both.code).toBe(2);
    expect(both.err).toMatch(/cannot be used with/);
  });

  it("errors other than usage come with the JSON document too", async () => {
    const journal = join(dir, "tampered.journal");
    await writeFile(
      journal,
      `${JSON.stringify({ journal: "batch-custom-data", version: 1, chunkSize: 0, apps: 1, target: "0".repeat(32) })}\n`,
    );
    const r = await run(["delete", "a", "--resume", journal, "--json"]);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.out)).toMatchObject({
      ok: false,
      exitCode: 2,
      error: { name: "UsageError", message: expect.stringMatching(/chunkSize must be/) },
    });
  });

  it("a journal of other app keys, or another chunk size, is refused (exit 2)", async () => {
    const APP2 = "inproc_app_key_android_2";
    await served.close();
    served = await serve(
      createEmulator({ apps: [APP, APP2], restApiKey: REST, processingDelayMs: 0 }),
      { port: 0, closeGraceMs: 100 },
    );
    const journal = join(dir, "other.journal");
    expect((await run(["delete", "a", "b", "--resume", journal, "--chunk-size", "1"])).code).toBe(
      0,
    );
    const otherApp = await run(["delete", "a", "b", "--resume", journal], {
      env: { BATCH_API_KEY: APP2 },
    });
    expect(otherApp.code).toBe(2);
    expect(otherApp.err).toMatch(/written for other app keys or another base URL/);
    const otherSize = await run(["delete", "a", "b", "--resume", journal, "--chunk-size", "2"]);
    expect(otherSize.code).toBe(2);
    expect(otherSize.err).toMatch(/--chunk-size 1/);
    // Other ids under the same journal: chunks whose ids differ are sent again.
    const changed = await run(["delete", "a", "c", "--resume", journal, "--json"]);
    expect(JSON.parse(changed.out)).toMatchObject({
      confirmed: 1,
      skipped: 1,
      journal: { skippedChunks: 1, mismatched: 1 },
    });
    // The dry run tells what a resume would skip.
    const dry = await run(["delete", "a", "c", "--resume", journal, "--dry-run"]);
    expect(dry.out).toMatch(/2 chunks \(2 ids\) already confirmed would be skipped: 0 calls/);
  });

  it("a wrong base URL path (404) and a wrong key (401) are configuration errors", async () => {
    const r404 = await run(["delete", "a"], { env: { BATCH_BASE_URL: served.url } });
    expect(r404.code).toBe(2);
    expect(r404.err).toMatch(/it must end in \/1\.0/);
    const r401 = await run(["delete", "a"], { env: { BATCH_REST_API_KEY: "wrong_rest_key_00" } });
    expect(r401.code).toBe(2);
    expect(r401.err).toMatch(/check BATCH_API_KEY and BATCH_REST_API_KEY/);
  });

  it("a second Ctrl-C aborts the calls in flight: exit 130, the report says so", async () => {
    served.emulator.failNext("hang", 1);
    const proc = new EventEmitter();
    const pending = run(["delete", "a", "b", "--json"], { proc });
    const deadline = Date.now() + 5000;
    while (served.emulator.stats().requests < 1 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    proc.emit("SIGINT");
    await new Promise((r) => setTimeout(r, 50));
    proc.emit("SIGINT");
    const r = await pending;
    expect(r.code).toBe(130);
    expect(r.err).toMatch(
      /SIGINT: stopping\. No new call or retry[\s\S]*SIGINT: aborting the calls in flight/,
    );
    const report = JSON.parse(r.out);
    expect(report).toMatchObject({ exitCode: 130, interrupted: true, confirmed: 0, failed: 2 });
    expect(report.error.message).toMatch(/calls in flight were aborted/);
    expect(report.failedIds).toEqual(["a", "b"]);
  });

  it("a server that fails every call: the core's circuit breaker stops the run, exit 1, says why", async () => {
    await served.close();
    served = await serve(
      createEmulator({
        apps: [APP],
        restApiKey: REST,
        processingDelayMs: 0,
        faults: { maintenance: 1 },
      }),
      { port: 0, closeGraceMs: 100 },
    );
    const r = await run([
      "delete",
      "--chunk-size",
      "1",
      "--concurrency",
      "1",
      "--retries",
      "0",
      "--json",
      ...ids(20),
    ]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out);
    expect(report.stoppedBy.reason).toBe("breaker");
    expect(report.error.message).toMatch(/^Stopped sending: calls kept failing after every retry/);
    expect(report.calls).toBeLessThan(20);
    expect(report.failedIds).toHaveLength(20);
  });

  it("a network failure is a failure (exit 1), retried first", async () => {
    await served.close();
    const r = await run(["delete", "a", "--retries", "1", "--timeout", "2000", "--json"]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out);
    expect(report.failures[0].error).toMatchObject({ name: "BatchNetworkError", attempts: 2 });
    expect(report.failedIds).toEqual(["a"]);
  });
});
