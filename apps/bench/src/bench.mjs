#!/usr/bin/env node
// `pnpm bench` (full), `pnpm bench --quick`, `pnpm bench --wan [--rtt MS]`, `pnpm bench
// --adaptive [--quick]`: every benchmark of the project in one run. Timings are reported,
// never asserted: nothing here fails on a time.
//
//   1. headline: the SDK against a raw fetch loop that builds its bodies in the clock, in
//      paired alternating runs, on the global fetch and on the keep-alive transport; and
//      deleteUsers(readIds(file)) against deleteUsers(array) for the same ids;
//   2. loopback context: the raw floor (bodies built before the clock) and the documented
//      curl script, in rotating rounds;
//   3. emulator capacity (is the emulator ever what limits the runs?; not in --quick);
//   4. WAN: HTTPS behind a proxy that adds a round trip (wan.mjs): SDK, raw loop, CLI, curl,
//      naive loop;
//   5. memory: peak RSS of the CLI from a file, with today's young generation and a smaller one;
//   6. bundle sizes, the core against ky, ofetch and axios, and the core by module;
//   7. adaptive concurrency against fixed, under a rate limit and on the WAN (adaptive.mjs).
//
// Full results go to results/latest.{json,md} (committed); --quick writes results/quick.*,
// --wan results/wan.*, --adaptive results/adaptive.* (ignored by git), so none overwrites the
// reference run.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { adaptive } from "./adaptive.mjs";
import { curlScript, nodeClient } from "./clients.mjs";
import { findCurl, sequentialScript, writePayloads, xargsScript } from "./curl.mjs";
import { startEmulator } from "./emulator.mjs";
import { findCli, measureDelete, peakRss, writeIdFile } from "./memory.mjs";
import { pairedRounds } from "./pairs.mjs";
import { render } from "./render.mjs";
import { semiSpaceWays } from "./semi-space.mjs";
import { coreByModule, measureSizes } from "./sizes.mjs";
import {
  API_KEY,
  BENCH_DIR,
  fmtInt,
  fmtMb,
  installCleanup,
  killChildren,
  machine,
  stats,
} from "./util.mjs";
import { wan } from "./wan.mjs";

const USAGE = "usage: bench [--quick] [--wan | --adaptive] [--rtt MS]";
const argv = process.argv.slice(2).filter((a) => a !== "--");
const quick = argv.includes("--quick");
const wanOnly = argv.includes("--wan");
const adaptiveOnly = argv.includes("--adaptive");
let rttMs = 50;
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === "--quick" || a === "--wan" || a === "--adaptive") continue;
  const rtt = a === "--rtt" ? argv[++i] : a.startsWith("--rtt=") ? a.slice(6) : undefined;
  if (rtt !== undefined) {
    rttMs = Number(rtt);
    if (!(rttMs >= 0 && rttMs <= 1000)) {
      console.error(`bench: --rtt takes a round trip in ms, 0 to 1000 (got ${rtt}); ${USAGE}`);
      process.exit(2);
    }
    continue;
  }
  console.error(`bench: unknown argument ${a}; ${USAGE}`);
  process.exit(2);
}

const CONFIG = quick
  ? {
      ids: 100_000,
      pairs: 5,
      contextRounds: 1,
      capacitySeconds: 1.5,
      wan: { ids: 100_000, rounds: 1, naiveSample: 10 },
      memoryIds: [500_000],
      memoryReps: 1,
      budgetS: 55,
    }
  : {
      ids: 1_000_000,
      pairs: 15,
      contextRounds: 5,
      capacitySeconds: 4,
      wan: { ids: 1_000_000, rounds: 3, naiveSample: 100 },
      memoryIds: [1_000_000, 5_000_000],
      memoryReps: 3,
      budgetS: 2700,
    };
const TRANSPORTS = { global: "global fetch", keepalive: "keep-alive" };
// The raw loop's, and the SDK's in the headline (fixed there, so both do the same work: the
// SDK's default is adaptive, up to 16; adaptive.mjs measures that against fixed 4 and 16).
const CONCURRENCY = 4;
const CAPACITY_CONCURRENCY = 8;
const PER_CALL = 10_000;
/**
 * Node flags tried on the CLI's process, beside "as shipped". V8's young generation grows to
 * 2 × 16 MiB semi-spaces on 64-bit; a smaller one trades memory for more scavenges (and more
 * promotion); --optimize-for-size shrinks every generation, at a larger cost.
 */
const CLI_FLAGS = [
  { key: "semi1", flags: ["--max-semi-space-size=1"] },
  ...(quick ? [] : [{ key: "optimizeForSize", flags: ["--optimize-for-size"] }]),
];

const CHILD_TIMEOUT_MS = quick ? 30_000 : 240_000;
const started = performance.now();
const deadline = started + CONFIG.budgetS * 1000;
const log = (...a) => console.error(...a);

installCleanup();
const tmpDir = mkdtempSync(join(tmpdir(), "batch-bench-"));
process.on("exit", () => rmSync(tmpDir, { recursive: true, force: true }));

const results = {
  date: new Date().toISOString(),
  command: `pnpm bench${quick ? " --quick" : ""}${wanOnly ? " --wan" : ""}${adaptiveOnly ? " --adaptive" : ""}${rttMs !== 50 ? ` --rtt ${rttMs}` : ""}`,
  quick,
  wanOnly,
  adaptiveOnly,
  machine: machine(),
  config: { ...CONFIG, concurrency: CONCURRENCY, idsPerCall: PER_CALL, rttMs },
  loadavgBefore: loadavg(),
};

const cli = findCli();
/** The 1-minute load average after each loopback run: how busy the machine was. */
const loads = [];
/** Runs one section and records how long it took. */
results.sectionSeconds = {};
async function section(name, fn) {
  const t = performance.now();
  results[name] = await fn();
  results.sectionSeconds[name] = Number(((performance.now() - t) / 1000).toFixed(1));
}
const adaptiveSection = () =>
  adaptive({ quick, rttMs, tmpDir, deadline, timeoutMs: quick ? 60_000 : 300_000, log });
if (wanOnly) {
  await section("wan", wanSection);
} else if (adaptiveOnly) {
  await section("adaptive", adaptiveSection);
} else {
  const emulator = await startEmulator();
  log(`bench: emulator on ${emulator.baseUrl} (pid ${emulator.pid}), tmp ${tmpDir}`);
  try {
    await section("headline", () => headline(emulator));
    await section("context", () => context(emulator));
    if (!quick) await section("capacity", () => capacity(emulator));
    await section("memory", () => memory(emulator));
  } finally {
    await emulator.close();
  }
  await section("wan", wanSection);
  await section("adaptive", adaptiveSection);
  await section("sizes", measureSizes);
  await section("coreModules", coreByModule);
}
killChildren();
results.loadavgAfter = loadavg();
results.loadavgDuring = loads.length ? stats(loads) : undefined;
results.durationS = Number(((performance.now() - started) / 1000).toFixed(1));

const markdown = render(results);
const outDir = join(BENCH_DIR, "results");
mkdirSync(outDir, { recursive: true });
const base = wanOnly ? "wan" : adaptiveOnly ? "adaptive" : quick ? "quick" : "latest";
writeFileSync(join(outDir, `${base}.json`), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(join(outDir, `${base}.md`), markdown);
if (base === "latest") updateReadme(markdown);
console.log(markdown);
log(`bench: done in ${results.durationS} s; results/${base}.json and results/${base}.md written`);

// ---------------------------------------------------------------------------------------------

/** One measured run against `emulator`, verified: it must have accepted exactly `expected` ids. */
async function verifiedRun(emulator, run, expected) {
  await emulator.call("begin");
  const r = await run();
  const server = await emulator.call("end");
  r.verified = server.idsAccepted === expected && server.errors === 0;
  r.emulatorCpuMs = server.cpuMs;
  r.emulatorCoreUse = server.cpuMs / r.wallMs;
  r.loadavg = loadavg()[0];
  loads.push(r.loadavg);
  if (!r.verified) r.server = server;
  return r;
}

async function headline(emulator) {
  const ids = CONFIG.ids;
  const file = join(tmpDir, `ids-${ids}.txt`);
  await writeIdFile(file, ids);
  const node = (script, config) => ({
    ...config,
    run: () =>
      nodeClient(
        script,
        { baseUrl: emulator.baseUrl, ids, ...config.options },
        { timeoutMs: CHILD_TIMEOUT_MS },
      ),
  });
  const sdk = (transport, options = {}) =>
    node("sdk-child.mjs", {
      label: `SDK \`deleteUsers(${options.file ? "readIds(file)" : "array"})\`, ${TRANSPORTS[transport]}`,
      options: { transport, concurrency: CONCURRENCY, adaptive: false, ...options },
    });
  const raw = (transport) =>
    node("raw-child.mjs", {
      label: `raw \`fetch\` loop, bodies built in the clock, ${TRANSPORTS[transport]}`,
      options: { transport, concurrency: CONCURRENCY, buildInClock: true },
    });
  const comparisons = [
    {
      key: "global",
      label: "sdk/raw (bodies in the clock, global fetch)",
      a: sdk("global"),
      b: raw("global"),
    },
    { key: "keepalive", label: "sdk/raw (keep-alive)", a: sdk("keepalive"), b: raw("keepalive") },
    {
      key: "fileArray",
      label: `file/array (${fmtInt(ids)} ids)`,
      a: sdk("global", { file }),
      b: sdk("global"),
    },
  ];
  log(
    `bench: headline, ${fmtInt(ids)} ids, ${CONFIG.pairs} pairs of each: ${comparisons.map((c) => c.label).join("; ")}`,
  );
  // Every Node client makes one untimed warm-up call (one id) first.
  const result = await pairedRounds({
    comparisons,
    pairs: CONFIG.pairs,
    deadline,
    log,
    measure: (side) => verifiedRun(emulator, side.run, ids + 1),
  });
  rmSync(file, { force: true });
  return { ids, concurrency: CONCURRENCY, idsPerCall: PER_CALL, ...result };
}

async function context(emulator) {
  const ids = CONFIG.ids;
  const curl = findCurl();
  const payloadDir = join(tmpDir, "payloads");
  mkdirSync(payloadDir);
  const files = writePayloads(payloadDir, ids, PER_CALL);
  const rawFloor = (transport) => () =>
    nodeClient(
      "raw-child.mjs",
      { baseUrl: emulator.baseUrl, ids, concurrency: CONCURRENCY, transport },
      { timeoutMs: CHILD_TIMEOUT_MS },
    );
  const curlRun = (script) => () =>
    curlScript(script, {
      payloadDir,
      url: `${emulator.baseUrl}/${API_KEY}/data/users`,
      concurrency: CONCURRENCY,
      idsPerCall: PER_CALL,
      ids,
      timeoutMs: CHILD_TIMEOUT_MS,
    });
  const methods = [
    {
      key: "rawFloor",
      label: "raw `fetch` loop, bodies built before the clock (the floor), global fetch",
      run: rawFloor("global"),
      expected: ids + 1,
    },
    {
      key: "rawFloorKeepAlive",
      label: "raw `fetch` loop, bodies built before the clock (the floor), keep-alive",
      run: rawFloor("keepalive"),
      expected: ids + 1,
    },
    ...(curl
      ? [
          {
            key: "curl",
            label: "documented `curl`, one per file, sequential",
            run: curlRun(sequentialScript()),
            expected: ids,
          },
          {
            key: "curlParallel",
            label: `documented \`curl\`, \`xargs -P ${CONCURRENCY}\``,
            run: curlRun(xargsScript()),
            expected: ids,
          },
        ]
      : []),
  ];
  log(
    `bench: loopback context, ${fmtInt(ids)} ids (${files} calls), ${CONFIG.contextRounds} rounds${curl ? `, curl: ${curl}` : ", curl: NOT FOUND"}`,
  );
  const runs = Object.fromEntries(methods.map((m) => [m.key, []]));
  for (let round = 0; round < CONFIG.contextRounds; round++) {
    if (round > 0 && performance.now() > deadline) {
      log(`bench: time budget reached after ${round} rounds`);
      break;
    }
    // The order rotates each round, so no method always runs first (or after the same one).
    for (let k = 0; k < methods.length; k++) {
      const method = methods[(round + k) % methods.length];
      const r = await verifiedRun(emulator, method.run, method.expected);
      runs[method.key].push(r);
      log(
        `  round ${round + 1} ${method.key.padEnd(18)} wall ${r.wallMs.toFixed(0).padStart(6)} ms  cpu ${r.cpuMs.toFixed(0).padStart(6)} ms  emulator ${(r.emulatorCoreUse * 100).toFixed(0)}% of a core${r.verified ? "" : `  NOT VERIFIED ${JSON.stringify(r.server)}`}`,
      );
    }
  }
  rmSync(payloadDir, { recursive: true, force: true });
  const methodsOut = {};
  for (const m of methods) {
    const list = runs[m.key];
    if (!list.length) continue;
    methodsOut[m.key] = {
      label: m.label,
      wallMs: stats(list.map((r) => r.wallMs)),
      cpuMs: stats(list.map((r) => r.cpuMs)),
      emulatorCoreUse: stats(list.map((r) => r.emulatorCoreUse)),
      verified: list.every((r) => r.verified),
      runs: list,
    };
  }
  return { ids, rounds: runs[methods[0].key].length, methods: methodsOut };
}

async function capacity(emulator) {
  // Bodies of 10,000 ids sent by plain fetch on one connection pool, at twice the benchmark's
  // concurrency: (1) over and over for a fixed time, against the empty store the throughput
  // runs use; (2) once over as many seeded users, whose deletion the emulator then does for real.
  // The emulator's CPU per wall second says whether its one JavaScript thread is saturated.
  const probe = async (label, seeded) => {
    if (seeded) await emulator.call("seed", { count: CONFIG.ids });
    await emulator.call("begin");
    const r = await nodeClient(
      "raw-child.mjs",
      {
        baseUrl: emulator.baseUrl,
        ids: CONFIG.ids,
        concurrency: CAPACITY_CONCURRENCY,
        transport: "keepalive",
        ...(seeded ? {} : { seconds: CONFIG.capacitySeconds, maxCalls: 20_000 }),
      },
      { timeoutMs: CHILD_TIMEOUT_MS },
    );
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
      emulatorCoreUse: server.cpuMs / r.wallMs,
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

async function memory(emulator) {
  const rows = [];
  const baseline = await peakRss(["-e", "0"], { env: process.env, timeoutMs: 10_000, tmpDir });
  rows.push({
    key: "floor",
    name: "`node -e 0` (Node's own floor)",
    ids: 0,
    runs: [{ peakRssKb: baseline.peakRssKb, ok: true }],
    method: baseline.method,
  });
  if (cli.missing) log(`bench: CLI memory skipped: ${cli.missing}`);
  const cliName = "`batch-custom-data delete --file`";
  const variants = [
    ...(cli.missing
      ? []
      : [
          { key: "cli", name: `${cliName}, as shipped`, nodeArgs: [], flags: [] },
          ...CLI_FLAGS.map(({ key, flags }) => ({
            key,
            name: `${cliName}, \`node ${flags.join(" ")}\``,
            nodeArgs: flags,
            flags,
          })),
        ]),
    ...(quick
      ? []
      : [
          {
            key: "library",
            name: "`deleteUsers(readIds(file))` (the library, no CLI)",
            library: true,
          },
        ]),
  ];
  for (const [i, count] of CONFIG.memoryIds.entries()) {
    if (i > 0 && performance.now() > deadline) break;
    const file = join(tmpDir, `ids-${count}.txt`);
    await writeIdFile(file, count);
    const byKey = Object.fromEntries(variants.map((v) => [v.key, []]));
    for (let rep = 0; rep < CONFIG.memoryReps; rep++) {
      // Alternating order; the library is measured once (it is the reference, not the question).
      const order = rep % 2 === 0 ? variants : [...variants].reverse();
      for (const v of order) {
        if (v.library && byKey[v.key].length > 0) continue;
        const r = await measureDelete({
          cli,
          library: v.library,
          nodeArgs: v.nodeArgs,
          count,
          file,
          emulator,
          tmpDir,
          timeoutMs: CHILD_TIMEOUT_MS,
        });
        byKey[v.key].push(r);
        log(
          `bench: memory ${v.key.padEnd(16)} ${fmtInt(count)} ids: peak RSS ${fmtMb(r.peakRssKb)}, ${(r.wallMs / 1000).toFixed(2)} s wall, ${(r.cpuMs / 1000).toFixed(2)} s CPU${r.ok ? "" : ` (FAILED: exit ${r.exitCode}, ${r.idsAccepted} ids accepted)`}`,
        );
      }
    }
    for (const v of variants) {
      rows.push({
        key: v.key,
        flags: v.flags,
        name: `${v.name}, ${fmtInt(count)} ids`,
        ids: count,
        runs: byKey[v.key],
        method: byKey[v.key][0]?.method,
      });
    }
    rmSync(file, { force: true });
  }
  for (const row of rows) {
    row.ok = row.runs.length > 0 && row.runs.every((r) => r.ok);
    row.peakRssKb = stats(row.runs.map((r) => r.peakRssKb));
    if (row.key !== "floor") {
      row.wallMs = stats(row.runs.map((r) => r.wallMs));
      row.cpuMs = stats(row.runs.map((r) => r.cpuMs));
    }
  }
  const growth = {};
  for (const v of variants) {
    const list = rows.filter((r) => r.key === v.key && r.ok);
    if (list.length > 1) growth[v.key] = list.at(-1).peakRssKb.median / list[0].peakRssKb.median;
  }
  // Which ways of setting the young generation's size take effect at all (semi-space.mjs).
  const ways = await semiSpaceWays({ tmpDir });
  return {
    ...(cli.missing ? { skipped: cli.missing } : {}),
    ways,
    variants: variants.map(({ key, flags }) => ({ key, flags })),
    rows,
    growth,
  };
}

async function wanSection() {
  log(`bench: wan, ${fmtInt(CONFIG.wan.ids)} ids, RTT ${rttMs} ms, ${CONFIG.wan.rounds} round(s)`);
  return wan({
    ...CONFIG.wan,
    rttMs,
    tmpDir,
    deadline,
    timeoutMs: quick ? 60_000 : 300_000,
    cli,
    log,
  });
}

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
