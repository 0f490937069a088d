import { existsSync, readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { createEmulator, type EmulatorOptions } from "@batch-custom-data/emulator";
import type { ServedEmulator } from "@batch-custom-data/emulator/node";
import { describe, expect, it } from "vitest";
import {
  APP,
  APP2,
  cli,
  emulatorPerTest,
  env,
  onlyJson,
  REST,
  range,
  scanOutputsForKeys,
  serveRecording,
  start,
  tempDir,
  waitFor,
} from "./helpers.js";

const inDir = tempDir("bcd-cli-");
const serve = emulatorPerTest();
scanOutputsForKeys(20);
/** The current test's emulator. */
let served: ServedEmulator | undefined;

async function file(name: string, text: string): Promise<string> {
  const path = inDir(name);
  await writeFile(path, text);
  return path;
}

async function emulator(options: EmulatorOptions = {}) {
  served = await serve(options);
  return served.emulator;
}

describe("delete: where ids come from", () => {
  it("a file of lines (CRLF, blank lines): every user's data gone, one JSON report", async () => {
    const em = await emulator();
    const ids = range(1, 2500);
    em.seed(APP, ids);
    const path = await file("ids.txt", `${ids.join("\r\n")}\r\n\r\n`);
    const run = await cli(
      ["delete", "--file", path, "--chunk-size", "1000", "--json", "--yes", "--progress"],
      { env: env(served!) },
    );
    expect(run.code).toBe(0);
    const report = onlyJson(run.stdout);
    expect(report).toMatchObject({
      ok: true,
      exitCode: 0,
      requested: 2500,
      confirmed: 2500,
      failed: 0,
      calls: 3,
      complete: true,
      failedIds: [],
    });
    expect(report.tokens.map((t: { ids: number }) => t.ids)).toEqual([1000, 1000, 500]);
    for (const { token } of report.tokens) expect(em.transaction(token)).toBeDefined();
    await em.settled();
    expect(em.count(APP)).toBe(0);
    // Not a TTY, --progress: plain progress lines on stderr, nothing but the report on stdout.
    expect(run.stderr).toMatch(/progress: 2,500\/2,500 ids \(100%\), 2,500 confirmed, 0 failed/);
  });

  it("stdin (--file -)", async () => {
    const em = await emulator();
    em.seed(APP, ["a", "b", "c"]);
    const run = await cli(["delete", "--file", "-", "--json"], {
      env: env(served!),
      stdin: "a\nb\nc",
    });
    expect(run.code).toBe(0);
    expect(onlyJson(run.stdout)).toMatchObject({ requested: 3, confirmed: 3, calls: 1 });
    await em.settled();
    expect(em.count(APP)).toBe(0);
  });

  it("positional arguments, sent exactly as given (spaces, slashes, non-ASCII)", async () => {
    const em = await emulator();
    const ids = [" padded ", "a/b?c#d", "用户", "x"];
    em.seed(APP, ids);
    const run = await cli(["delete", "--", ...ids], { env: env(served!) });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Done: 4 of 4 ids from arguments confirmed/);
    expect(run.stdout).toMatch(/Tokens \(1, one per call\)/);
    await em.settled();
    expect(em.count(APP)).toBe(0);
  });

  it("CSV: a column by header name, quoted fields", async () => {
    const em = await emulator();
    em.seed(APP, ["u-1", "u,2", 'u"3', "u-4"]);
    const path = await file(
      "users.csv",
      'name,user_id\r\n"Doe, Jane",u-1\r\nBob,"u,2"\r\n"Al","u""3"\r\n\r\nX,u-4\r\n',
    );
    const run = await cli(["delete", "--file", path, "--column", "user_id", "--json"], {
      env: env(served!),
    });
    expect(run.code).toBe(0);
    expect(onlyJson(run.stdout)).toMatchObject({ requested: 4, confirmed: 4 });
    await em.settled();
    expect(em.count(APP)).toBe(0);
  });

  it("NDJSON: a field, format from the extension", async () => {
    const em = await emulator();
    em.seed(APP, ["n1", "n2"]);
    const path = await file("users.ndjson", '{"uid":"n1","x":1}\n\n{"uid":"n2"}\n');
    const run = await cli(["delete", "--file", path, "--field", "uid", "--json"], {
      env: env(served!),
    });
    expect(run.code).toBe(0);
    expect(onlyJson(run.stdout)).toMatchObject({ requested: 2, confirmed: 2 });
    await em.settled();
    expect(em.count(APP)).toBe(0);
  });

  it("100,000 ids from a file, in two apps (BATCH_API_KEY=KEY1,KEY2)", async () => {
    const em = await emulator({ apps: [APP, APP2] });
    const ids = range(1, 100_000);
    em.seed(APP, 100_000);
    em.seed(APP2, 100_000);
    const path = await file("100k.txt", `${ids.join("\n")}\n`);
    const run = await cli(["delete", "--file", path, "--json", "--yes"], {
      env: env(served!, { BATCH_API_KEY: `${APP},${APP2}` }),
    });
    expect(run.code).toBe(0);
    const report = onlyJson(run.stdout);
    expect(report).toMatchObject({ requested: 100_000, confirmed: 100_000, calls: 20, apps: 2 });
    expect(new Set(report.tokens.map((t: { token: string }) => t.token)).size).toBe(20);
    await em.settled();
    expect(em.count(APP)).toBe(0);
    expect(em.count(APP2)).toBe(0);
    expect(em.stats().idsAccepted).toBe(200_000);
  });
});

describe("delete: configuration and usage errors", () => {
  it("a wrong REST key: exit 2, says what to check, stops sending", async () => {
    const em = await emulator();
    const path = await file("wrongkey.txt", range(1, 5000).join("\n"));
    const run = await cli(["delete", "--file", path, "--chunk-size", "100", "--json", "--yes"], {
      env: env(served!, { BATCH_REST_API_KEY: "e2eWrongRestKey_000000" }),
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /AUTHENTICATION_INVALID.*check BATCH_API_KEY and BATCH_REST_API_KEY/,
    );
    const report = onlyJson(run.stdout);
    expect(report).toMatchObject({ ok: false, exitCode: 2, confirmed: 0, complete: false });
    expect(report.error.name).toBe("AUTHENTICATION_INVALID");
    // The first 401 stops the run: only the chunks already in flight were sent.
    expect(em.stats().requests).toBeLessThanOrEqual(4);
    expect(run.stdout + run.stderr).not.toContain("e2eWrongRestKey_000000");
  });

  it("missing configuration: exit 2, names the variable, sends nothing", async () => {
    const em = await emulator();
    const noApp = await cli(["delete", "a"], {
      env: { BATCH_REST_API_KEY: REST, BATCH_BASE_URL: served!.baseUrl },
    });
    expect(noApp.code).toBe(2);
    expect(noApp.stderr).toMatch(/^error: BATCH_API_KEY is not set/);
    expect(em.stats().requests).toBe(0);
    // A base URL without /1.0: the API answers 404, which is a configuration error too.
    const noVersion = await cli(["delete", "a", "b"], {
      env: env(served!, { BATCH_BASE_URL: served!.url }),
    });
    expect(noVersion.code).toBe(2);
    expect(noVersion.stderr).toMatch(
      /ROUTE_NOT_FOUND\): check BATCH_BASE_URL or --base-url: it must end in \/1\.0/,
    );
  });

  it("usage errors: exit 2 with what to fix, nothing on stdout (the full table runs in-process)", async () => {
    await emulator();
    const e = env(served!);
    const cases: [string[], RegExp][] = [
      [["delete"], /No ids given/],
      [["delete", "--bogus", "a"], /unknown option '--bogus'/],
    ];
    for (const [args, message] of cases) {
      const run = await cli(args, { env: e });
      expect(run.code, args.join(" ")).toBe(2);
      expect(run.stderr, args.join(" ")).toMatch(message);
      expect(run.stdout, args.join(" ")).toBe("");
    }
    expect(served!.emulator.stats().requests).toBe(0);
  });

  it("a malformed row in a file: exit 2 naming the line, nothing sent", async () => {
    const em = await emulator();
    const path = await file("bad.ndjson", '{"id":"a"}\n{"id":"b"}\n{"id":3}\n');
    const run = await cli(["delete", "--file", path, "--json"], { env: env(served!) });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${path} line 3: the field "id" is a number, not a string.`);
    expect(onlyJson(run.stdout).error.message).toMatch(/Nothing was sent/);
    expect(em.stats().requests).toBe(0);
  });

  it("a malformed row on stdin, with --yes: exit 2 naming the line, with the report of what was done", async () => {
    const em = await emulator();
    em.seed(APP, range(1, 20));
    const text = `${range(1, 20)
      .map((id) => `{"id":"${id}"}`)
      .join("\n")}\nnot json\n`;
    const run = await cli(
      ["delete", "--file", "-", "--format", "ndjson", "--chunk-size", "10", "--json", "--yes"],
      { env: env(served!), stdin: text },
    );
    expect(run.code).toBe(2);
    const report = onlyJson(run.stdout);
    expect(report.error.message).toMatch(/^stdin line 21: not valid JSON/);
    expect(report.confirmed).toBe(20);
    expect(report.complete).toBe(false);
  });
  it("a malformed row on stdin among the first 1,000 ids: exit 2 naming the line, nothing sent", async () => {
    const em = await emulator();
    const run = await cli(["delete", "-", "--format", "ndjson", "--json"], {
      env: env(served!),
      stdin: '{"id":"a"}\n{"id":"b"}\n{"id":7}\n',
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/stdin line 3: .*Nothing was sent/);
    expect(onlyJson(run.stdout)).toMatchObject({ ok: false, exitCode: 2 });
    expect(em.stats().requests).toBe(0);
  });
});

describe("delete: failures are listed", () => {
  it("the API refuses some chunks (400): exit 1, exactly those ids in the JSON, with the reason", async () => {
    // The emulator refuses ids over 40 characters (400 / 31): one such id spoils its chunk only.
    const em = await emulator({ maxIdLength: 40 });
    const ids = range(1, 500);
    ids[250] = `user-${"x".repeat(60)}`;
    em.seed(APP, ids);
    const path = await file("partial.txt", ids.join("\n"));
    const run = await cli(["delete", "--file", path, "--chunk-size", "100", "--json"], {
      env: env(served!),
    });
    expect(run.code).toBe(1);
    const report = onlyJson(run.stdout);
    expect(report).toMatchObject({ ok: false, exitCode: 1, confirmed: 400, failed: 100, calls: 5 });
    expect(report.failedIds).toEqual(ids.slice(200, 300));
    expect(report.failures).toHaveLength(1);
    expect(report.failures[0]).toMatchObject({
      chunk: 2,
      app: "0",
      attempted: true,
      error: { name: "MALFORMED_PARAMETER", status: 400, code: 31, retryable: false, attempts: 1 },
    });
    expect(report.failures[0].ids).toEqual(ids.slice(200, 300));
    await em.settled();
    expect(em.users(APP)).toEqual(ids.slice(200, 300));
  });

  it("the next N calls fail with 500 and retries are off: exit 1, human report lists the ids", async () => {
    const em = await emulator();
    em.seed(APP, range(1, 30));
    em.failNext("serverError", 2);
    const path = await file("fail-next.txt", range(1, 30).join("\n"));
    const run = await cli(
      ["delete", "--file", path, "--chunk-size", "10", "--concurrency", "1", "--retries", "0"],
      { env: env(served!) },
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^Not done: 10 of 30 ids/);
    expect(run.stdout).toMatch(/chunk 0, app 0, 10 ids: SERVER_ERROR \(HTTP 500\), 1 attempt/);
    expect(run.stdout).toMatch(/Failed ids \(20\), to retry:\n {2}"user-1"\n/);
    await em.settled();
    expect(em.count(APP)).toBe(20);
  });

  it("retryable faults are retried: exit 0", async () => {
    const em = await emulator({ seed: 7 });
    em.seed(APP, range(1, 40));
    em.failNext("maintenance", 2);
    const path = await file("retry.txt", range(1, 40).join("\n"));
    const run = await cli(["delete", "--file", path, "--chunk-size", "10", "--json"], {
      env: env(served!),
    });
    expect(run.code).toBe(0);
    expect(onlyJson(run.stdout)).toMatchObject({ confirmed: 40, calls: 4 });
    expect(em.stats().requests).toBe(6);
  });
});

describe("delete --dry-run", () => {
  it("checks every id and shows the plan, and sends nothing at all", async () => {
    const em = await emulator();
    const path = await file("dry.txt", range(1, 25_000).join("\n"));
    const human = await cli(["delete", "--file", path, "--dry-run"], {
      env: env(served!, { BATCH_API_KEY: `${APP},${APP2}` }),
    });
    expect(human.code).toBe(0);
    expect(human.stdout).toContain("Dry run: 25,000 valid ids");
    expect(human.stdout).toContain("3 chunks of up to 10,000 ids × 2 apps = 6 calls");
    expect(human.stdout).toContain("Nothing was sent.");
    const json = await cli(["delete", "--file", "-", "--dry-run", "--json", "--chunk-size", "10"], {
      env: env(served!),
      stdin: range(1, 95).join("\n"),
    });
    expect(onlyJson(json.stdout)).toMatchObject({
      dryRun: true,
      ids: 95,
      chunks: 10,
      apps: 1,
      calls: 10,
    });
    expect(em.stats().requests).toBe(0);
    expect(em.log()).toEqual([]);
  });

  it("a bad id: exit 2 naming its line", async () => {
    const em = await emulator();
    const path = await file("dry-bad.txt", `a\n${"z".repeat(2000)}\nb\n`);
    const run = await cli(["delete", "--file", path, "--dry-run"], { env: env(served!) });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${path} line 2: the id is 2000 characters long (at most 1023).`);
    expect(em.stats().requests).toBe(0);
  });
});

describe("delete --resume", () => {
  it("kill -9 mid-run, then rerun: confirmed chunks are not sent again, every user's data gone", async () => {
    const em = createEmulator({
      apps: [APP],
      restApiKey: REST,
      processingDelayMs: 0,
      faults: { latencyMs: 40 },
    });
    const total = 40_000;
    const size = 500;
    const ids = range(1, total);
    em.seed(APP, ids);
    const server = await serveRecording(em);
    try {
      const path = await file("resume.txt", ids.join("\n"));
      const journal = inDir("resume.journal");
      const args = [
        "delete",
        "--file",
        path,
        "--resume",
        journal,
        "--chunk-size",
        `${size}`,
        "--concurrency",
        "2",
        "--json",
        "--yes",
      ];
      const environment = {
        BATCH_API_KEY: APP,
        BATCH_REST_API_KEY: REST,
        BATCH_BASE_URL: server.baseUrl,
      };

      // Run 1, killed with SIGKILL once 20 chunks are in the journal.
      const first = start(args, { env: environment });
      const lines = () =>
        existsSync(journal) ? readFileSync(journal, "utf8").split("\n").length - 2 : 0;
      await waitFor(() => lines() >= 20, 15_000, "20 journaled chunks");
      first.child.kill("SIGKILL");
      const killed = await first.done;
      expect(killed.signal).toBe("SIGKILL");
      expect(killed.stdout).toBe("");

      const text = readFileSync(journal, "utf8");
      const entries = text
        .split("\n")
        .slice(1)
        .filter((l) => l.trim() !== "")
        .map((l) => {
          try {
            return JSON.parse(l) as { chunk: number; ids: number; tokens: { token: string }[] };
          } catch {
            return undefined; // a line torn by the kill
          }
        })
        .filter((e) => e !== undefined);
      const journaled = new Set(entries.map((e) => e.chunk));
      expect(journaled.size).toBeGreaterThanOrEqual(20);
      expect(journaled.size).toBeLessThan(total / size);
      const firstRun = server.received.splice(0);
      const firstIds = firstRun.flat();
      // Every journaled chunk did reach the server in run 1.
      for (const chunk of journaled) expect(firstIds).toContain(ids[chunk * size]);

      // Run 2: the same command.
      const second = await cli(args, { env: environment });
      expect(second.code).toBe(0);
      const report = onlyJson(second.stdout);
      expect(report).toMatchObject({
        ok: true,
        requested: total,
        confirmed: total - journaled.size * size,
        skipped: journaled.size * size,
        failed: 0,
        journal: { skippedChunks: journaled.size, mismatched: 0 },
      });

      // No id of a chunk confirmed before the kill was sent again; every other id was.
      const secondIds = server.received.flat();
      const again = new Set(secondIds);
      for (const chunk of journaled) {
        for (const id of ids.slice(chunk * size, (chunk + 1) * size))
          expect(again.has(id)).toBe(false);
      }
      expect(secondIds.length).toBe(total - journaled.size * size);
      const everything = new Set([...firstIds, ...secondIds]);
      expect(everything.size).toBe(total);
      expect(firstIds.length + secondIds.length).toBeGreaterThanOrEqual(total);

      await em.settled();
      expect(em.count(APP)).toBe(0);

      // A third run skips everything: no call at all.
      const third = await cli(args, { env: environment });
      expect(third.code).toBe(0);
      expect(onlyJson(third.stdout)).toMatchObject({ calls: 0, skipped: total, confirmed: 0 });
      expect(server.received.length).toBe(secondIds.length / size);
    } finally {
      await server.close();
      em.close();
    }
  });
});

describe("delete: SIGINT", () => {
  it("stops reading, waits for the calls in flight, prints the report, exits 130", async () => {
    const em = await emulator({ faults: { latencyMs: 250 } });
    const ids = range(1, 10_000);
    em.seed(APP, ids);
    const path = await file("sigint.txt", ids.join("\n"));
    const run = start(
      ["delete", "--file", path, "--chunk-size", "500", "--concurrency", "2", "--json", "--yes"],
      { env: env(served!) },
    );
    await waitFor(() => em.log().length >= 2, 10_000, "two answered calls");
    run.child.kill("SIGINT");
    const result = await run.done;
    expect(result.code).toBe(130);
    expect(result.stderr).toMatch(/SIGINT: stopping\. No new call or retry/);
    const report = onlyJson(result.stdout);
    expect(report).toMatchObject({ ok: false, exitCode: 130, interrupted: true, complete: false });
    expect(report.confirmed).toBeGreaterThan(0);
    expect(report.confirmed).toBeLessThan(10_000);
    // Every call the emulator answered is in the report: the calls in flight were waited for.
    const answered = em
      .log()
      .filter((e) => e.status === 200)
      .map((e) => e.token);
    expect(report.tokens.map((t: { token: string }) => t.token).sort()).toEqual(answered.sort());
    expect(report.confirmed).toBe(answered.length * 500);
    // Ids read but never sent are listed as not deleted; ids never read are not counted.
    expect(report.requested).toBe(report.confirmed + report.failed);
    expect(report.failedIds).toHaveLength(report.failed);
    await em.settled();
    expect(em.count(APP)).toBe(10_000 - report.confirmed);
  });

  it("while waiting for stdin: the report says nothing was read", async () => {
    await emulator();
    const run = start(["delete", "--file", "-"], { env: env(served!), keepStdinOpen: true });
    run.child.stdin!.write("a\nb\n");
    // Time for Node to start and install its SIGINT handler (about 0.15 s; generous for a busy CI).
    await new Promise((r) => setTimeout(r, 1000));
    run.child.kill("SIGINT");
    const result = await run.done;
    expect(result.code).toBe(130);
    expect(result.stdout).toMatch(/^Not done: 0 of \d ids from stdin/);
    expect(served!.emulator.stats().requests).toBe(0);
  });
});
