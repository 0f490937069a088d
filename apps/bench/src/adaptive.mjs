// Adaptive concurrency (packages/core/src/pace.ts) against fixed concurrency, two ways:
//   1. the curve: the emulator with a rate limit (429 with Retry-After above `limit` calls/s,
//      a token bucket holding one second's worth), behind the round-trip proxy; the same ids
//      sent by the SDK adaptive (its default), fixed at 4 and fixed at 16, one after the other
//      (the emulator reset in between: a full bucket each). Per second: the calls the emulator
//      got, the 429s it answered (its own timeline), and the window the client allowed at the
//      end of that second (onProgress's `concurrency`). Calls of 1,000 ids, so that a run of
//      hundreds of calls fits in memory: the pace counts calls, not ids.
//   2. the speed: on the WAN model (HTTPS, `rttMs` of round trip, as wan.mjs builds it),
//      1,000,000 ids with the SDK's defaults (adaptive, up to 16 chunks in flight) against
//      fixed 4 (the default before) and fixed 16, on the keep-alive transport and on the
//      global fetch, in rounds whose order rotates. Runs start cold, as in wan.mjs.
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { createEmulator } from "@batch-custom-data/emulator";
import { serve } from "@batch-custom-data/emulator/node";
import { startEmulator } from "./emulator.mjs";
import { API_KEY, BENCH_DIR, fmtInt, fmtIqr, lastJson, REST_API_KEY, run, stats } from "./util.mjs";
import { makeCertificate, startProxy } from "./wan.mjs";

const VARIANTS = [
  { key: "adaptive", label: "adaptive (default, up to 16)", options: {} },
  { key: "fixed4", label: "fixed 4", options: { adaptive: false, concurrency: 4 } },
  { key: "fixed16", label: "fixed 16", options: { adaptive: false, concurrency: 16 } },
];
const TRANSPORTS = { keepalive: "keep-alive", global: "global fetch" };

/** Runs adaptive-child.mjs once and returns its JSON line. */
async function child(config, { timeoutMs, env }) {
  const full = { apiKey: API_KEY, restApiKey: REST_API_KEY, ...config };
  const result = await run(
    process.execPath,
    [join(BENCH_DIR, "src", "adaptive-child.mjs"), JSON.stringify(full)],
    { timeoutMs, env },
  );
  if (result.code !== 0) {
    throw new Error(
      `adaptive-child.mjs failed (${result.code ?? result.signal}): ${result.stderr.slice(-2000)}`,
    );
  }
  return lastJson(result.stdout);
}

/** The server's seconds and the client's windows, from the first second with a call to the last. */
function curve(timeline, clientWindows) {
  if (timeline.length === 0) return [];
  const windows = new Map(clientWindows.map((s) => [s.at * 1000, s.window]));
  const bySecond = new Map(timeline.map((s) => [s.at, s]));
  const first = timeline[0].at;
  const last = timeline.at(-1).at;
  const rows = [];
  let window;
  for (let at = first; at <= last; at += 1000) {
    const s = bySecond.get(at);
    window = windows.get(at) ?? window;
    rows.push({
      second: (at - first) / 1000 + 1,
      calls: s?.requests ?? 0,
      refused: s?.rateLimited ?? 0,
      window,
    });
  }
  return rows;
}

/** One limit: the same calls sent by each variant in turn, a full bucket each time. */
async function rateLimitCurve({ limit, seconds, rttMs, timeoutMs, log }) {
  const calls = limit * seconds;
  const chunkSize = 1000;
  const emulator = createEmulator({
    apps: [API_KEY],
    restApiKey: REST_API_KEY,
    processingDelayMs: 0,
    logLimit: 0,
    rateLimit: { callsPerSecond: limit },
  });
  const server = await serve(emulator, { hostname: "127.0.0.1", port: 0 });
  const proxy = await startProxy(server.port, rttMs);
  try {
    const baseUrl = `http://127.0.0.1:${proxy.port}/1.0`;
    const out = {};
    for (const variant of VARIANTS) {
      emulator.reset();
      const r = await child(
        {
          baseUrl,
          ids: calls * chunkSize,
          chunkSize,
          transport: "keepalive",
          windows: true,
          ...variant.options,
        },
        { timeoutMs },
      );
      const rows = curve(emulator.timeline(), r.windows);
      const refused = rows.reduce((sum, row) => sum + row.refused, 0);
      const sent = rows.reduce((sum, row) => sum + row.calls, 0);
      out[variant.key] = {
        label: variant.label,
        wallMs: r.wallMs,
        acceptedPerSecond: (calls / r.wallMs) * 1000,
        calls: sent,
        refused,
        rows,
      };
      log(
        `  adaptive curve ${limit}/s ${variant.key.padEnd(9)} ${fmtInt(r.wallMs)} ms, ${((calls / r.wallMs) * 1000).toFixed(1)} accepted calls/s of ${limit} allowed, ${refused} 429s in ${sent} calls`,
      );
    }
    return { limit, calls, chunkSize, rttMs, transport: TRANSPORTS.keepalive, variants: out };
  } finally {
    await proxy.close();
    await server.close();
    emulator.close();
  }
}

async function wanSpeed({ quick, rttMs, tmpDir, deadline, timeoutMs, log }) {
  const ids = quick ? 100_000 : 1_000_000;
  const rounds = quick ? 1 : 9;
  const dir = join(tmpDir, "adaptive-wan");
  mkdirSync(dir, { recursive: true });
  const certificate = makeCertificate(dir);
  if (certificate.missing) return { skipped: certificate.missing };
  const emulator = await startEmulator({ tls: certificate });
  const proxy = await startProxy(emulator.tlsPort, rttMs);
  try {
    const baseUrl = `https://127.0.0.1:${proxy.port}/1.0`;
    const env = { ...process.env, NODE_EXTRA_CA_CERTS: certificate.cert };
    const methods = Object.keys(TRANSPORTS).flatMap((transport) =>
      VARIANTS.map((variant) => ({
        key: `${variant.key}/${transport}`,
        variant: variant.key,
        transport,
        run: () => child({ baseUrl, ids, transport, ...variant.options }, { timeoutMs, env }),
      })),
    );
    const runs = Object.fromEntries(methods.map((m) => [m.key, []]));
    for (let round = 0; round < rounds; round++) {
      if (round > 0 && performance.now() > deadline) break;
      for (let k = 0; k < methods.length; k++) {
        const method = methods[(round + k) % methods.length];
        await emulator.call("begin");
        const r = await method.run();
        const server = await emulator.call("end");
        r.verified = server.idsAccepted === ids && server.errors === 0;
        runs[method.key].push(r);
        log(
          `  adaptive wan round ${round + 1} ${method.key.padEnd(18)} wall ${fmtInt(r.wallMs).padStart(6)} ms${r.verified ? "" : `  NOT VERIFIED ${JSON.stringify(server)}`}`,
        );
      }
    }
    const methodsOut = {};
    for (const m of methods) {
      const list = runs[m.key];
      methodsOut[m.key] = {
        variant: m.variant,
        transport: m.transport,
        wallMs: stats(list.map((r) => r.wallMs)),
        verified: list.every((r) => r.verified),
      };
    }
    // Per round, fixed 4's time over adaptive's on the same transport: load hits both alike.
    const ratios = {};
    for (const transport of Object.keys(TRANSPORTS)) {
      const a = runs[`adaptive/${transport}`];
      const b = runs[`fixed4/${transport}`];
      ratios[transport] = stats(a.map((r, i) => b[i].wallMs / r.wallMs).slice(0, b.length));
    }
    return { ids, rttMs, rounds: runs[methods[0].key].length, methods: methodsOut, ratios };
  } finally {
    await proxy.close();
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One curve, second by second, the variants side by side. */
function curveLines(c) {
  const keys = VARIANTS.map((v) => v.key);
  const lines = [
    `adaptive curve: rate limit ${c.limit} calls/s (429 with Retry-After above it), RTT ${c.rttMs} ms, ${fmtInt(c.calls)} calls of ${fmtInt(c.chunkSize)} ids, ${c.transport}; per second: calls / 429s / window`,
    `   s  ${keys
      .map((k) => c.variants[k].label.padEnd(30))
      .join("")
      .trimEnd()}`,
  ];
  const length = Math.max(...keys.map((k) => c.variants[k].rows.length));
  for (let i = 0; i < length; i++) {
    const cells = keys.map((k) => {
      const row = c.variants[k].rows[i];
      return (row ? `${row.calls} / ${row.refused} / ${row.window ?? "-"}` : "").padEnd(30);
    });
    lines.push(`${String(i + 1).padStart(4)}  ${cells.join("").trimEnd()}`);
  }
  return lines;
}

/** The summary lines (printed last, quoted by the README): each variant's totals, the WAN. */
export function adaptiveSummary(r) {
  const lines = [];
  for (const c of r?.curves ?? []) {
    for (const { key } of VARIANTS) {
      const v = c.variants[key];
      lines.push(
        `adaptive curve ${c.limit}/s, ${v.label}: ${(v.wallMs / 1000).toFixed(1)} s, ${v.acceptedPerSecond.toFixed(1)} calls/s accepted of ${c.limit} allowed (${((v.acceptedPerSecond / c.limit) * 100).toFixed(0)}%), ${v.refused} 429s in ${v.calls} calls (${((v.refused / v.calls) * 100).toFixed(1)}%)`,
      );
    }
  }
  const w = r?.wan;
  if (w?.methods) {
    for (const transport of Object.keys(TRANSPORTS)) {
      const wall = (variant) => w.methods[`${variant}/${transport}`]?.wallMs;
      const range = (variant) => {
        const s = wall(variant);
        return s ? `${fmtInt(s.median)} ms (${fmtInt(s.min)}–${fmtInt(s.max)})` : "–";
      };
      const unverified = Object.values(w.methods).some((m) => !m.verified) ? " ⚠ not verified" : "";
      lines.push(
        `adaptive wan, ${fmtInt(w.ids)} ids, RTT ${w.rttMs} ms, HTTPS, ${TRANSPORTS[transport]}, median of ${w.rounds}: adaptive ${range("adaptive")}, fixed 4 ${range("fixed4")}, fixed 16 ${range("fixed16")}; fixed 4 / adaptive per round ${fmtIqr(w.ratios[transport])}${unverified}`,
      );
    }
  } else if (w?.skipped) {
    lines.push(`adaptive wan: not measured (${w.skipped})`);
  }
  return lines;
}

/** The section of results/*.md: the curves as printed, then the summary. */
export function adaptiveMarkdown(r) {
  if (!r) return [];
  return [
    "## Adaptive concurrency (`src/adaptive.mjs`)",
    "",
    "The emulator with a rate limit, behind the round-trip proxy: the same calls sent adaptive (the SDK's default), fixed at 4 and fixed at 16. Calls and 429s per second are the emulator's; the window is the client's `onProgress` `concurrency` at the end of that second. Then 1,000,000 ids over HTTPS on the WAN model (rounds in rotating order).",
    "",
    "```text",
    ...(r.curves ?? []).flatMap((c) => [...curveLines(c), ""]),
    ...adaptiveSummary(r),
    "```",
    "",
  ];
}

export async function adaptive(options) {
  const { log } = options;
  log("bench: adaptive concurrency: a rate-limited emulator, then the WAN model");
  // A limit below what fixed 4 sends over this round trip, and one between fixed 4 and fixed 16.
  const limits = options.quick ? [40] : [20, 100];
  const curves = [];
  for (const limit of limits) {
    curves.push(await rateLimitCurve({ ...options, limit, seconds: options.quick ? 6 : 12 }));
  }
  const result = { curves, wan: await wanSpeed(options) };
  for (const c of curves) for (const line of curveLines(c)) log(line);
  return result;
}
