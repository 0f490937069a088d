#!/usr/bin/env node
// `pnpm bench` (full) and `pnpm bench --quick`: throughput (SDK vs raw fetch vs curl), CLI
// memory, bundle sizes and emulator capacity, in one run against one emulator served in its
// own process on 127.0.0.1. Timings are reported, never asserted: nothing here fails on a time.
//
// Full results go to results/latest.{json,md} (committed); a quick run writes
// results/quick.{json,md} (ignored by git), so it never overwrites the reference run.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { countTokens, findCurl, SEQUENTIAL_SCRIPT, writePayloads, XARGS_SCRIPT } from "./curl.mjs";
import { startEmulator } from "./emulator.mjs";
import { findCli, measureDelete, peakRss, writeIdFile } from "./memory.mjs";
import { measureSizes, sizesTable } from "./sizes.mjs";
import {
  API_KEY,
  BENCH_DIR,
  childrenCpuMs,
  fmtInt,
  fmtMb,
  fmtMs,
  installCleanup,
  killChildren,
  lastJson,
  machine,
  REST_API_KEY,
  run,
  stats,
  table,
} from "./util.mjs";

const argv = process.argv.slice(2);
const quick = argv.includes("--quick");
const unknown = argv.filter((a) => a !== "--quick" && a !== "--");
if (unknown.length) {
  console.error(`bench: unknown argument(s) ${unknown.join(" ")}; usage: bench [--quick]`);
  process.exit(2);
}

const CONFIG = quick
  ? { ids: 100_000, reps: 3, memoryIds: [1_000_000], capacitySeconds: 1.5, budgetS: 40 }
  : {
      ids: 1_000_000,
      reps: 5,
      memoryIds: [1_000_000, 5_000_000],
      capacitySeconds: 4,
      budgetS: 900,
    };
const CONCURRENCY = 4; // the SDK's default, used by every method
const CAPACITY_CONCURRENCY = 8;
const PER_CALL = 10_000;
const CHILD_TIMEOUT_MS = quick ? 30_000 : 180_000;
const started = performance.now();
const deadline = started + CONFIG.budgetS * 1000;
const log = (...a) => console.error(...a);

installCleanup();
const tmpDir = mkdtempSync(join(tmpdir(), "batch-bench-"));
process.on("exit", () => rmSync(tmpDir, { recursive: true, force: true }));

const results = {
  date: new Date().toISOString(),
  command: quick ? "pnpm bench --quick" : "pnpm bench",
  quick,
  machine: machine(),
  config: { ...CONFIG, concurrency: CONCURRENCY, idsPerCall: PER_CALL },
};

const emulator = await startEmulator();
log(`bench: emulator on ${emulator.baseUrl} (pid ${emulator.pid}), tmp ${tmpDir}`);
try {
  results.loadavgBefore = loadavg();
  results.throughput = await throughput();
  results.capacity = await capacity();
  results.memory = await memory();
  results.sizes = await measureSizes();
} finally {
  await emulator.close();
  killChildren();
}
results.loadavgAfter = loadavg();
results.durationS = Number(((performance.now() - started) / 1000).toFixed(1));

const markdown = render(results);
const outDir = join(BENCH_DIR, "results");
mkdirSync(outDir, { recursive: true });
const base = quick ? "quick" : "latest";
writeFileSync(join(outDir, `${base}.json`), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(join(outDir, `${base}.md`), markdown);
if (!quick) updateReadme(markdown);
console.log(markdown);
console.log(`sdk/raw: ${results.throughput.ratios["sdk/raw"].toFixed(2)}`);
log(`bench: done in ${results.durationS} s; results/${base}.json and results/${base}.md written`);

// ---------------------------------------------------------------------------------------------

/** Runs a Node client child; its result line carries its own process.cpuUsage(). */
async function nodeClient(script, extra = {}) {
  const config = {
    baseUrl: emulator.baseUrl,
    apiKey: API_KEY,
    restApiKey: REST_API_KEY,
    ids: CONFIG.ids,
    concurrency: CONCURRENCY,
    ...extra,
  };
  const cpu0 = childrenCpuMs();
  const result = await run(
    process.execPath,
    [join(BENCH_DIR, "src", script), JSON.stringify(config)],
    {
      timeoutMs: CHILD_TIMEOUT_MS,
    },
  );
  const cpu1 = childrenCpuMs();
  if (result.code !== 0) {
    throw new Error(
      `${script} failed (${result.code ?? result.signal}): ${result.stderr.slice(-2000)}`,
    );
  }
  const r = lastJson(result.stdout);
  return {
    wallMs: r.wallMs,
    cpuMs: r.cpuUserMs + r.cpuSysMs,
    cpuUserMs: r.cpuUserMs,
    cpuSysMs: r.cpuSysMs,
    ids: r.ids,
    calls: r.calls,
    peakRssKb: r.peakRssKb,
    // Whole process, start-up and id generation included (10 ms resolution).
    processCpuMs: cpu1.user + cpu1.system - cpu0.user - cpu0.system,
    processWallMs: result.wallMs,
  };
}

/** Runs a curl shell script; CPU is the script's whole process tree (sh, xargs, every curl). */
async function curlScript(script, payloadDir) {
  const env = {
    PATH: process.env.PATH,
    PAYLOAD_DIR: payloadDir,
    URL: `${emulator.baseUrl}/${API_KEY}/data/users`,
    REST_API_KEY,
    CONCURRENCY: String(CONCURRENCY),
  };
  const cpu0 = childrenCpuMs();
  const result = await run("sh", ["-c", script], { env, group: true, timeoutMs: CHILD_TIMEOUT_MS });
  const cpu1 = childrenCpuMs();
  if (result.code !== 0) {
    throw new Error(
      `curl script failed (${result.code ?? result.signal}): ${result.stderr.slice(-2000)}`,
    );
  }
  const calls = countTokens(result.stdout);
  return {
    wallMs: result.wallMs,
    cpuMs: cpu1.user + cpu1.system - cpu0.user - cpu0.system,
    cpuUserMs: cpu1.user - cpu0.user,
    cpuSysMs: cpu1.system - cpu0.system,
    calls,
    ids: Math.min(calls * PER_CALL, CONFIG.ids),
  };
}

async function throughput() {
  const curl = findCurl();
  const payloadDir = join(tmpDir, "payloads");
  mkdirSync(payloadDir);
  const files = writePayloads(payloadDir, CONFIG.ids, PER_CALL);
  const methods = [
    { key: "raw", label: "raw `fetch` loop (floor)", run: () => nodeClient("raw-child.mjs") },
    {
      key: "rawBuild",
      label: "raw `fetch` loop, bodies built in the clock",
      run: () => nodeClient("raw-child.mjs", { buildInClock: true }),
    },
    { key: "sdk", label: "SDK `deleteUsers`", run: () => nodeClient("sdk-child.mjs") },
    ...(curl
      ? [
          {
            key: "curl",
            label: `documented \`curl\`, one per file, sequential`,
            run: () => curlScript(SEQUENTIAL_SCRIPT, payloadDir),
          },
          {
            key: "curlParallel",
            label: `documented \`curl\`, \`xargs -P ${CONCURRENCY}\``,
            run: () => curlScript(XARGS_SCRIPT, payloadDir),
          },
        ]
      : []),
  ];
  log(
    `bench: throughput, ${fmtInt(CONFIG.ids)} ids (${files} calls of ${fmtInt(PER_CALL)}), concurrency ${CONCURRENCY}, ${CONFIG.reps} rounds${curl ? `, curl: ${curl}` : ", curl: NOT FOUND"}`,
  );
  const runs = Object.fromEntries(methods.map((m) => [m.key, []]));
  for (let rep = 0; rep < CONFIG.reps; rep++) {
    if (performance.now() > deadline) {
      log(`bench: time budget reached after ${rep} rounds`);
      break;
    }
    // The order rotates each round, so no method always runs first (or after the same one).
    for (let k = 0; k < methods.length; k++) {
      const method = methods[(rep + k) % methods.length];
      // The store is left empty: every id is received, parsed, validated and queued for
      // deletion, but the delete itself is a miss. That keeps the one-threaded emulator off the
      // critical path (see capacity() for what seeded users cost it).
      await emulator.call("begin");
      const r = await method.run();
      const server = await emulator.call("end");
      // Node clients make one untimed warm-up call (one id); curl does not.
      const expected = CONFIG.ids + (method.key.startsWith("curl") ? 0 : 1);
      r.verified = server.idsAccepted === expected && server.errors === 0;
      r.emulatorCpuMs = server.cpuMs;
      r.emulatorCoreUse = server.cpuMs / r.wallMs;
      r.loadavg = loadavg()[0];
      runs[method.key].push(r);
      log(
        `  round ${rep + 1} ${method.key.padEnd(12)} wall ${fmtMs(r.wallMs).padStart(6)} ms  cpu ${fmtMs(r.cpuMs).padStart(6)} ms  emulator cpu ${fmtMs(server.cpuMs).padStart(6)} ms  load ${r.loadavg.toFixed(2)}${r.verified ? "" : `  NOT VERIFIED ${JSON.stringify(server)}`}`,
      );
    }
  }
  rmSync(payloadDir, { recursive: true, force: true });

  const summary = {};
  for (const m of methods) {
    const list = runs[m.key];
    const wall = stats(list.map((r) => r.wallMs));
    summary[m.key] = {
      label: m.label,
      wallMs: wall,
      cpuMs: stats(list.map((r) => r.cpuMs)),
      idsPerSecond: stats(list.map((r) => (r.ids / r.wallMs) * 1000)),
      emulatorCpuMs: stats(list.map((r) => r.emulatorCpuMs)),
      emulatorCoreUse: stats(list.map((r) => r.emulatorCoreUse)),
      verified: list.every((r) => r.verified),
      runs: list,
    };
  }
  const med = (key, what = "wallMs") => summary[key]?.[what].median;
  const ratio = (a, b, what) => (med(a, what) && med(b, what) ? med(a, what) / med(b, what) : null);
  // Paired, round by round: how steady the ratio is within this run.
  const paired = runs.raw.map((raw, i) => runs.sdk[i] && runs.sdk[i].wallMs / raw.wallMs);
  return {
    ids: CONFIG.ids,
    idsPerCall: PER_CALL,
    concurrency: CONCURRENCY,
    rounds: runs.raw.length,
    methods: summary,
    ratios: {
      "sdk/raw": ratio("sdk", "raw"),
      "sdk/raw cpu": ratio("sdk", "raw", "cpuMs"),
      "sdk/raw-build": ratio("sdk", "rawBuild"),
      "curl/sdk": ratio("curl", "sdk"),
      "curl -P/sdk": ratio("curlParallel", "sdk"),
      "sdk/raw per round": stats(paired.filter(Boolean)),
    },
  };
}

async function capacity() {
  // Bodies of 10,000 ids sent by plain fetch on one connection pool, at twice the benchmark's
  // concurrency: (1) over and over for a fixed time, against the empty store the throughput
  // runs use; (2) once over as many seeded users, whose deletion the emulator then does for real.
  // The emulator's CPU per wall second says whether its one JavaScript thread is saturated.
  const probe = async (label, seeded) => {
    if (seeded) await emulator.call("seed", { count: CONFIG.ids });
    await emulator.call("begin");
    const r = await nodeClient("raw-child.mjs", {
      concurrency: CAPACITY_CONCURRENCY,
      ...(seeded ? {} : { seconds: CONFIG.capacitySeconds, maxCalls: 20_000 }),
    });
    const server = await emulator.call("end");
    const row = {
      label,
      seeded,
      concurrency: CAPACITY_CONCURRENCY,
      seconds: r.wallMs / 1000,
      ids: r.ids,
      calls: r.calls,
      idsPerSecond: (r.ids / r.wallMs) * 1000,
      emulatorCpuMs: server.cpuMs,
      // Share of one core the emulator used (1.0: its one JavaScript thread is saturated).
      emulatorCoreUse: server.cpuMs / r.wallMs,
      // What one core of emulator would handle, were it never waiting for the client.
      idsPerEmulatorCpuSecond: (server.idsAccepted / server.cpuMs) * 1000,
      usersLeft: server.usersLeft,
      errors: server.errors,
    };
    log(
      `bench: capacity (${label}): ${fmtInt(row.idsPerSecond)} ids/s, ${r.calls} calls in ${row.seconds.toFixed(2)} s, emulator at ${(row.emulatorCoreUse * 100).toFixed(0)}% of a core, ${fmtInt(row.idsPerEmulatorCpuSecond)} ids per emulator CPU-second`,
    );
    return row;
  };
  return [
    await probe(`empty store, ${CONFIG.capacitySeconds} s`, false),
    await probe(`${fmtInt(CONFIG.ids)} seeded users deleted`, true),
  ];
}

async function memory() {
  const cli = findCli();
  const rows = [];
  const baseline = await peakRss(["-e", "0"], { env: process.env, timeoutMs: 10_000, tmpDir });
  rows.push({
    name: "`node -e 0` (Node's own floor)",
    kind: "floor",
    ids: 0,
    peakRssKb: baseline.peakRssKb,
    method: baseline.method,
    ok: true,
  });
  if (cli.missing) log(`bench: CLI memory skipped: ${cli.missing}`);
  for (const count of CONFIG.memoryIds) {
    if (performance.now() > deadline) break;
    const file = join(tmpDir, `ids-${count}.txt`);
    await writeIdFile(file, count);
    const variants = [
      ...(cli.missing ? [] : [{ kind: "cli", name: "`batch-custom-data delete --file`" }]),
      { kind: "library", name: "`deleteUsers(readIds(file))` (the library, no CLI)" },
    ];
    for (const v of variants) {
      const row = await measureDelete({
        cli,
        library: v.kind === "library",
        count,
        file,
        emulator,
        tmpDir,
        timeoutMs: CHILD_TIMEOUT_MS,
      });
      rows.push({ name: `${v.name}, ${fmtInt(count)} ids`, kind: v.kind, ...row });
      log(
        `bench: ${v.kind} ${fmtInt(count)} ids: peak RSS ${fmtMb(row.peakRssKb)}, ${(row.wallMs / 1000).toFixed(1)} s${row.ok ? "" : ` (FAILED: exit ${row.exitCode}, ${row.idsAccepted} ids accepted)`}`,
      );
    }
    rmSync(file, { force: true });
  }
  const growth = {};
  for (const kind of ["cli", "library"]) {
    const list = rows.filter((r) => r.kind === kind && r.ok);
    if (list.length > 1) growth[kind] = list.at(-1).peakRssKb / list[0].peakRssKb;
  }
  return { ...(cli.missing ? { skipped: cli.missing } : {}), rows, growth };
}

// ---------------------------------------------------------------------------------------------

/** A full run also refreshes the results block of apps/bench/README.md. */
function updateReadme(markdown) {
  const file = join(BENCH_DIR, "README.md");
  const start = "<!-- results:start -->";
  const end = "<!-- results:end -->";
  let text;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return;
  }
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a < 0 || b < a) return;
  const body = markdown.replace(/^# .*\n\n/, "").replace(/^## /gm, "### ");
  writeFileSync(file, `${text.slice(0, a + start.length)}\n${body}${text.slice(b)}`);
}

function render(r) {
  const tp = r.throughput;
  const m = tp.methods;
  const range = (s, f = fmtMs) => `${f(s.median)} (${f(s.min)}–${f(s.max)})`;
  const vsRaw = (key) =>
    m[key] && m.raw ? (m[key].wallMs.median / m.raw.wallMs.median).toFixed(2) : "–";
  const lines = [];
  lines.push(`# Benchmark results${r.quick ? " (quick)" : ""}`, "");
  lines.push(
    `${r.date.slice(0, 10)} · \`${r.command}\` · ${r.machine.nproc} × ${r.machine.cpu} · Node ${r.machine.node} · ${r.durationS} s · load average ${r.loadavgBefore[0].toFixed(2)} before, ${r.loadavgAfter[0].toFixed(2)} after`,
    "",
  );
  lines.push(
    `## Throughput: ${fmtInt(tp.ids)} ids, bulk calls of ${fmtInt(tp.idsPerCall)}, concurrency ${tp.concurrency}, ${tp.rounds} rounds (median, min–max)`,
    "",
  );
  lines.push(
    table(
      ["method", "wall ms", "client CPU ms (user+sys)", "ids/s", "wall vs raw", "emulator CPU use"],
      Object.entries(m).map(([key, s]) => [
        s.label + (s.verified ? "" : " ⚠ not verified"),
        range(s.wallMs),
        range(s.cpuMs),
        fmtInt(s.idsPerSecond.median),
        vsRaw(key),
        `${(s.emulatorCoreUse.median * 100).toFixed(0)}%`,
      ]),
    ),
    "",
  );
  const ratio = (k) => (tp.ratios[k] == null ? "–" : tp.ratios[k].toFixed(2));
  lines.push(
    `Ratios of medians: \`sdk/raw: ${ratio("sdk/raw")}\` (wall; per round ${tp.ratios["sdk/raw per round"].min.toFixed(2)}–${tp.ratios["sdk/raw per round"].max.toFixed(2)}) · sdk/raw CPU: ${ratio("sdk/raw cpu")} · sdk/(raw, bodies built in the clock): ${ratio("sdk/raw-build")} · curl/sdk: ${ratio("curl/sdk")} · curl -P ${tp.concurrency}/sdk: ${ratio("curl -P/sdk")}`,
    "",
  );
  lines.push(
    "## Emulator capacity (raw `fetch`, bulk calls of 10,000 ids, one connection pool)",
    "",
  );
  lines.push(
    table(
      ["probe", "concurrency", "ids/s", "emulator CPU use", "ids per emulator CPU-second"],
      r.capacity.map((c) => [
        `${c.label} (${fmtInt(c.ids)} ids)`,
        c.concurrency,
        fmtInt(c.idsPerSecond),
        `${(c.emulatorCoreUse * 100).toFixed(0)}% of one core`,
        fmtInt(c.idsPerEmulatorCpuSecond),
      ]),
    ),
    "",
  );
  lines.push("## Memory: peak RSS of the deleting process", "");
  const mem = r.memory;
  lines.push(
    table(
      ["process", "peak RSS", "wall s", "measured with"],
      mem.rows.map((row) => [
        row.name + (row.ok ? "" : " ⚠ failed"),
        fmtMb(row.peakRssKb),
        row.wallMs ? (row.wallMs / 1000).toFixed(1) : "–",
        row.method,
      ]),
    ),
    "",
  );
  if (mem.skipped) lines.push(`CLI not measured: ${mem.skipped}.`, "");
  const growth = Object.entries(mem.growth ?? {});
  if (growth.length) {
    lines.push(
      `Peak RSS, ${fmtInt(r.config.memoryIds.at(-1))} ids over ${fmtInt(r.config.memoryIds[0])}: ${growth.map(([k, g]) => `${k} ${g.toFixed(2)}×`).join(", ")} (goal: within 1.20×)`,
      "",
    );
  }
  lines.push("## Bundle size (esbuild minify, gzip -9)", "");
  lines.push(sizesTable(r.sizes), "");
  return `${lines.join("\n").trimEnd()}\n`;
}
