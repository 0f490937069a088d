import assert from "node:assert/strict";
import {
  ANDROID_KEY,
  flagsFor,
  IOS_KEY,
  keysEnv,
  runApp,
  serveEmulator,
  taskFlags,
  userIds,
  waitFor,
  writeIds,
} from "./app.ts";

const ENV_FLAG =
  "--allow-env=BATCH_API_KEY,BATCH_REST_API_KEY,BATCH_BASE_URL,BATCH_TIMEOUT_MS,BATCH_RETRIES,BATCH_CONCURRENCY,BATCH_CHUNK_SIZE";

Deno.test("the tasks grant the API's host and the BATCH_* variables, nothing else", () => {
  assert.deepEqual(taskFlags("delete"), ["--no-prompt", "--allow-net=api.batch.com:443", ENV_FLAG]);
  assert.deepEqual(taskFlags("delete:emulator"), [
    "--no-prompt",
    "--allow-net=127.0.0.1:8787",
    ENV_FLAG,
  ]);
});

Deno.test("100,000 ids from a file, deleted in both apps under the task's permissions", async () => {
  await using served = serveEmulator();
  const ids = userIds(100_000);
  served.emulator.seed(IOS_KEY, ids.length);
  served.emulator.seed(ANDROID_KEY, ids.length);
  const file = await writeIds("ids-100k.txt", ids);
  const run = await runApp({
    flags: flagsFor(served.host, [`--allow-read=${file}`]),
    args: [file, "--json"],
    env: keysEnv(served.baseUrl),
  });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stderr, "", "no progress when stderr is not a terminal");
  const report = JSON.parse(run.stdout);
  assert.equal(report.ok, true);
  assert.equal(report.requested, 100_000);
  assert.equal(report.confirmed, 100_000);
  assert.equal(report.failed, 0);
  assert.equal(report.calls, 20, "10 calls of 10,000 ids in each of 2 apps");
  assert.equal(report.tokens.length, 20);
  assert.deepEqual(report.failedIds, []);
  // The emulator received every id in each app: no user data is left.
  assert.equal(served.emulator.stats().idsAccepted, 200_000);
  await served.emulator.settled();
  assert.equal(served.emulator.count(IOS_KEY), 0);
  assert.equal(served.emulator.count(ANDROID_KEY), 0);
  console.log(`    100,000 ids × 2 apps: ${run.ms} ms, ${report.calls} calls, exit ${run.code}`);
  await Deno.remove(file);
});

Deno.test("ids from stdin need no read permission; the human report says what was done", async () => {
  await using served = serveEmulator();
  const ids = ["user-1", "user 2 ", "üser-3", "user/4"];
  served.emulator.seed(IOS_KEY, ids);
  const run = await runApp({
    flags: flagsFor(served.host),
    env: keysEnv(served.baseUrl),
    stdin: `${ids.join("\n")}\n`,
  });
  assert.equal(run.code, 0, run.stderr);
  assert.match(
    run.stdout,
    /^Done: 4 of 4 ids from stdin confirmed in every app; 0 failed; 2 calls/,
  );
  await served.emulator.settled();
  assert.equal(served.emulator.count(IOS_KEY), 0);
});

Deno.test("without --allow-read for the file: exit 2, the flag to add, nothing sent", async () => {
  await using served = serveEmulator();
  const file = await writeIds("no-permission.txt", ["user-1"]);
  const run = await runApp({
    flags: flagsFor(served.host),
    args: [file],
    env: keysEnv(served.baseUrl),
  });
  assert.equal(run.code, 2);
  assert.match(run.stderr, new RegExp(`run with --allow-read=${file.replace(".", "\\.")}\\.`));
  assert.match(run.stderr, /pipe the file in: deno task delete < FILE/);
  assert.equal(served.emulator.stats().requests, 0);
  await Deno.remove(file);
});

Deno.test("without --allow-env: exit 2 naming the whole --allow-env list, nothing sent", async () => {
  await using served = serveEmulator();
  const run = await runApp({
    flags: flagsFor(served.host).filter((flag) => !flag.startsWith("--allow-env")),
    env: keysEnv(served.baseUrl),
    stdin: "user-1\n",
  });
  assert.equal(run.code, 2);
  assert.match(run.stderr, new RegExp(`run with ${ENV_FLAG}\\.`));
  assert.equal(served.emulator.stats().requests, 0);
});

Deno.test("with --allow-net for another host: exit 2 naming the API's host:port, at once", async () => {
  await using served = serveEmulator();
  const run = await runApp({
    flags: taskFlags("delete"), // api.batch.com:443 only
    env: keysEnv(served.baseUrl),
    stdin: "user-1\n",
    timeoutMs: 20_000,
  });
  assert.equal(run.code, 2);
  assert.match(
    run.stderr,
    new RegExp(`run with --allow-net=${served.host.replaceAll(".", "\\.")}\\.`),
  );
  assert.equal(served.emulator.stats().requests, 0);
});

Deno.test("a wrong REST key (401): exit 2, the ids listed as not deleted", async () => {
  await using served = serveEmulator();
  const run = await runApp({
    flags: flagsFor(served.host),
    args: ["--json"],
    env: { ...keysEnv(served.baseUrl), BATCH_REST_API_KEY: "wrong-rest-key" },
    stdin: "user-1\nuser-2\n",
  });
  assert.equal(run.code, 2);
  const report = JSON.parse(run.stdout);
  assert.equal(report.error.name, "AUTHENTICATION_INVALID");
  assert.deepEqual(report.failedIds, ["user-1", "user-2"]);
  assert.match(run.stderr, /check BATCH_API_KEY, BATCH_REST_API_KEY and BATCH_BASE_URL/);
});

Deno.test("calls that fail after their retries: exit 1, exactly their ids listed", async () => {
  await using served = serveEmulator();
  served.emulator.failNext("serverError", 1);
  const run = await runApp({
    flags: flagsFor(served.host),
    args: ["--json"],
    env: keysEnv(served.baseUrl, {
      BATCH_RETRIES: "0",
      BATCH_CHUNK_SIZE: "2",
      BATCH_CONCURRENCY: "1",
    }),
    stdin: "a\nb\nc\nd\n",
  });
  assert.equal(run.code, 1);
  const report = JSON.parse(run.stdout);
  assert.deepEqual(report.failedIds, ["a", "b"]);
  assert.equal(report.confirmed, 2);
  assert.equal(report.failures[0].error.name, "SERVER_ERROR");
});

Deno.test("a bad row in a file: exit 2 naming the line, nothing sent", async () => {
  await using served = serveEmulator();
  const file = await writeIds("bad.ndjson", ['{"id":"user-1"}', '{"name":"user-2"}']);
  const run = await runApp({
    flags: flagsFor(served.host, [`--allow-read=${file}`]),
    args: [file, "--format", "ndjson"],
    env: keysEnv(served.baseUrl),
  });
  assert.equal(run.code, 2);
  assert.match(run.stderr, /bad\.ndjson line 2: .* Nothing was sent\./);
  assert.equal(served.emulator.stats().requests, 0);
  await Deno.remove(file);
});

Deno.test("a bad row on stdin: exit 2 naming the line, every id read in the report", async () => {
  await using served = serveEmulator();
  const run = await runApp({
    flags: flagsFor(served.host),
    args: ["--format", "ndjson", "--json"],
    env: keysEnv(served.baseUrl),
    stdin: '{"id":"user-1"}\n{"name":"private-row"}\n{"id":"user-3"}\n',
  });
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /error: stdin line 2: /);
  assert.ok(!`${run.stdout}${run.stderr}`.includes("private-row"), "the row is not quoted");
  const report = JSON.parse(run.stdout);
  assert.equal(report.stoppedBy.reason, "source");
  assert.equal(report.error.name, "IdReadError");
  // user-1 was read before the bad row: not sent (its chunk never filled), but reported.
  assert.deepEqual([report.requested, report.failedIds], [1, ["user-1"]]);
  assert.equal(served.emulator.stats().requests, 0);
});

Deno.test("Ctrl-C: calls in flight finish, nothing new is sent, the report is printed, exit 130", async () => {
  // Slow calls of 1,000 ids, two at a time: the run is mid-way when SIGINT comes.
  await using served = serveEmulator({ faults: { latencyMs: 300 } });
  const file = await writeIds("ids-sigint.txt", userIds(50_000));
  const run = await runApp({
    flags: flagsFor(served.host, [`--allow-read=${file}`]),
    args: [file, "--json"],
    env: keysEnv(served.baseUrl, { BATCH_CHUNK_SIZE: "1000", BATCH_CONCURRENCY: "2" }),
    during: async (child) => {
      await waitFor(() => served.emulator.stats().accepted >= 4);
      child.kill("SIGINT");
    },
  });
  assert.equal(run.code, 130, run.stderr);
  assert.match(run.stderr, /SIGINT: finishing the calls in flight/);
  const report = JSON.parse(run.stdout);
  assert.equal(report.interrupted, true);
  assert.equal(report.complete, false);
  assert.ok(report.confirmed >= 2_000 && report.confirmed < 50_000, `${report.confirmed}`);
  assert.equal(
    report.confirmed + report.failed,
    report.requested,
    "every id read is accounted for",
  );
  // The calls in flight finished (confirmed), and no call was sent after them.
  const { requests, idsAccepted } = served.emulator.stats();
  assert.equal(requests, report.calls);
  assert.equal(idsAccepted, report.confirmed * 2);
  await Deno.remove(file);
});

Deno.test("a second Ctrl-C aborts the calls in flight: exit 130 at once, their ids failed", async () => {
  // Calls that would take 20 s each: only the abort can end this run quickly.
  await using served = serveEmulator({ faults: { latencyMs: 20_000 } });
  const run = await runApp({
    flags: flagsFor(served.host),
    args: ["--json"],
    env: keysEnv(served.baseUrl, { BATCH_CHUNK_SIZE: "2", BATCH_CONCURRENCY: "1" }),
    stdin: "user-1\nuser-2\n",
    during: async (child) => {
      await waitFor(() => served.emulator.stats().requests >= 2);
      child.kill("SIGINT");
      await new Promise((resolve) => setTimeout(resolve, 200));
      child.kill("SIGINT");
    },
    timeoutMs: 15_000,
  });
  assert.equal(run.code, 130, run.stderr);
  assert.match(run.stderr, /SIGINT: aborting the calls in flight/);
  const report = JSON.parse(run.stdout);
  assert.equal(report.error.message, "Interrupted by SIGINT: calls in flight were aborted.");
  assert.equal(report.confirmed, 0);
  assert.deepEqual(report.failedIds, ["user-1", "user-2"]);
});

Deno.test("Ctrl-C while stdin is waiting for more: the read ids end in the report, exit 130", async () => {
  await using served = serveEmulator();
  let stdin: WritableStreamDefaultWriter<Uint8Array> | undefined;
  const run = await runApp({
    flags: flagsFor(served.host),
    args: ["--json"],
    env: keysEnv(served.baseUrl, { BATCH_CHUNK_SIZE: "2" }),
    pipeStdin: true,
    during: async (child) => {
      stdin = child.stdin.getWriter();
      // A full chunk (sent to both apps) and one id of the next; then stdin stays open.
      await stdin.write(new TextEncoder().encode("user-1\nuser-2\nuser-3\n"));
      await waitFor(() => served.emulator.stats().accepted >= 2);
      child.kill("SIGINT");
    },
    timeoutMs: 30_000,
  });
  await stdin?.close().catch(() => {});
  assert.equal(run.code, 130, run.stderr);
  const report = JSON.parse(run.stdout);
  assert.equal(report.requested, 3);
  assert.equal(report.confirmed, 2);
  assert.deepEqual(report.failedIds, ["user-3"]);
  assert.deepEqual(report.stoppedBy, { reason: "stop" });
  assert.equal(report.failures.length, 2, "user-3 is not sent to either app");
  for (const failure of report.failures) {
    assert.deepEqual(
      [failure.ids, failure.attempted, failure.error.name],
      [["user-3"], false, "STOPPED"],
    );
  }
  assert.equal(served.emulator.stats().requests, 2, "nothing sent after Ctrl-C");
});

Deno.test("SIGTERM while calls hang: aborted when the grace runs out, the report printed, exit 143", async () => {
  // Calls that would take a minute: only the end of the grace (1 s here) can end this run.
  await using served = serveEmulator({ faults: { latencyMs: 60_000 } });
  let signalled = 0;
  const run = await runApp({
    flags: flagsFor(served.host),
    args: ["--json", "--stop-grace", "1000"],
    env: keysEnv(served.baseUrl, { BATCH_CHUNK_SIZE: "2", BATCH_CONCURRENCY: "1" }),
    stdin: "user-1\nuser-2\nuser-3\nuser-4\n",
    during: async (child) => {
      await waitFor(() => served.emulator.stats().requests >= 2);
      child.kill("SIGTERM");
      signalled = performance.now();
    },
    timeoutMs: 20_000,
  });
  const afterSignal = performance.now() - signalled;
  assert.equal(run.code, 143, run.stderr);
  assert.match(run.stderr, /SIGTERM: finishing the calls in flight \(at most 1 s\)/);
  assert.match(run.stderr, /Calls still in flight 1 s after SIGTERM: aborting them\./);
  assert.ok(afterSignal >= 1_000, `the calls in flight got their grace (${afterSignal} ms)`);
  const report = JSON.parse(run.stdout);
  assert.equal(report.interrupted, true);
  assert.equal(report.stoppedBy.reason, "abort");
  assert.equal(
    report.error.message,
    "Interrupted by SIGTERM: no new calls were sent, calls still in flight after 1 s were aborted.",
  );
  // Every id read is in the report: the first chunk's aborted, the rest never sent.
  assert.equal(report.confirmed, 0);
  assert.equal(report.failed, report.requested);
  assert.deepEqual(report.failedIds, userIds(report.requested));
  assert.ok(report.failures.some((f: { attempted: boolean }) => f.attempted));
  assert.equal(served.emulator.stats().requests, 2, "nothing sent after SIGTERM");
  console.log(`    ended ${Math.round(afterSignal)} ms after SIGTERM (grace 1 s)`);
});
