// The Markdown report of a run (results/*.md, and the README's results block) and the summary
// lines printed last, which the README's Performance section quotes.
import { adaptiveMarkdown, adaptiveSummary } from "./adaptive.mjs";
import { sizesTable } from "./sizes.mjs";
import { fmtInt, fmtIqr, fmtMb, fmtMs, table } from "./util.mjs";

const OFETCH_NAME = "ofetch";
const range = (s, f = fmtMs) => `${f(s.median)} (${f(s.min)}–${f(s.max)})`;
const iqr = (s, f = fmtMs) => `${f(s.median)} (IQR ${f(s.q1)}–${f(s.q3)})`;
const seconds = (ms) => (ms / 1000).toFixed(2);
const ratio = (x, digits = 2) => (x == null || Number.isNaN(x) ? "–" : x.toFixed(digits));
const verdict = (ok) => (ok == null ? "not measured" : ok ? "**met**" : "**missed**");

/** The lines printed at the end of every run (and quoted by the README). */
export function summaryLines(r) {
  const lines = [];
  const h = r.headline;
  if (h) {
    const caveat = r.quick
      ? ` (quick: ${h.global?.n} pairs of ${fmtInt(h.ids)} ids, indicative only: run \`pnpm bench\` for the figure)`
      : "";
    for (const key of ["global", "keepalive"]) {
      const c = h[key];
      if (!c?.n) continue;
      lines.push(
        `${c.label}: ${fmtIqr(c.ratio.cpu)} CPU, wall ${fmtIqr(c.ratio.wall)}; ${c.n} pairs of ${fmtInt(h.ids)} ids${caveat}`,
      );
    }
    const f = h.fileArray;
    if (f?.n) {
      lines.push(
        `file/array CPU (${fmtInt(h.ids)} ids): ${fmtIqr(f.ratio.cpu)}; wall ${fmtIqr(f.ratio.wall)}; ${f.n} pairs${caveat}`,
      );
    }
  }
  const w = r.wan;
  if (w?.methods) {
    lines.push(
      `wan speedup vs curl: ${ratio(w.ratios["curl/sdk"], 1)} (SDK defaults on Node: @batch-custom-data/node, keep-alive); ${ratio(w.ratios["curl/sdkGlobal"], 1)} (core defaults: global fetch); ${ratio(w.ratios["curl/cli"], 1)} (the CLI, whole process); sequential curl script's wall time over theirs, ${fmtInt(w.ids)} ids, RTT ${w.rttMs} ms, HTTPS${r.quick ? " (quick: one round of few ids, indicative only)" : `, median of ${w.rounds} rounds`}`,
    );
    lines.push(
      `wan speedup vs raw fetch loop (concurrency 4, global fetch): ${ratio(w.ratios["raw/sdk"], 2)} (SDK defaults on Node); ${ratio(w.ratios["raw/sdkGlobal"], 2)} (core defaults)`,
    );
  } else if (w?.skipped) {
    lines.push(`wan: not measured (${w.skipped})`);
  }
  lines.push(...adaptiveSummary(r.adaptive));
  const m = r.memory;
  if (m?.rows) {
    const rss = (key) => m.rows.filter((row) => row.key === key && row.ok);
    for (const { key, flags } of m.variants.filter((v) => v.flags)) {
      const list = rss(key);
      if (!list.length) continue;
      const label = flags.length ? `cli peak RSS with node ${flags.join(" ")}` : "cli peak RSS";
      const growth = m.growth[key] ? `; ${ratio(m.growth[key])}× from first to last` : "";
      lines.push(
        `${label}: ${list.map((row) => `${fmtMb(row.peakRssKb.median)} at ${fmtInt(row.ids)} ids (${seconds(row.wallMs.median)} s)`).join(", ")}${growth}`,
      );
    }
  }
  const s = r.sizes;
  if (s) {
    const core = s.find((row) => row.name === "@batch-custom-data/core" && !row.note);
    const ofetch = s.find((row) => row.name === OFETCH_NAME);
    if (core?.gzipBytes && ofetch?.gzipBytes) {
      lines.push(
        `core min+gzip: ${fmtInt(core.gzipBytes)} B; ofetch ${fmtInt(ofetch.gzipBytes)} B (${ratio(core.gzipBytes / ofetch.gzipBytes)}×)`,
      );
    }
  }
  return lines;
}

/** Each goal of issues 9 and 15, met or missed, from this run's figures. */
function goals(r) {
  const out = [];
  const h = r.headline;
  if (h) {
    for (const key of ["global", "keepalive"]) {
      const c = h[key];
      if (!c?.n) continue;
      out.push([
        `${c.label} ≤ 1.05 (CPU, median of paired runs)`,
        ratio(c.ratio.cpu.median),
        verdict(c.ratio.cpu.median <= 1.05),
      ]);
    }
    if (h.fileArray?.n) {
      out.push([
        "file/array CPU ≤ 2 (issue 9)",
        ratio(h.fileArray.ratio.cpu.median),
        verdict(h.fileArray.ratio.cpu.median <= 2),
      ]);
    }
  }
  const w = r.wan;
  if (w?.methods) {
    for (const [what, key, goal] of [
      ["SDK defaults on Node ≥ 10× faster than the sequential curl script (WAN)", "curl/sdk", 10],
      [
        "core defaults (global fetch) ≥ 10× faster than that curl script (WAN)",
        "curl/sdkGlobal",
        10,
      ],
      [
        "SDK defaults on Node ≥ 2× faster than a raw loop, concurrency 4, global fetch (WAN)",
        "raw/sdk",
        2,
      ],
      ["core defaults (global fetch) ≥ 2× faster than that raw loop (WAN)", "raw/sdkGlobal", 2],
    ]) {
      const x = w.ratios[key];
      out.push([what, `${ratio(x, 2)}×`, verdict(x == null ? null : x >= goal)]);
    }
  }
  const m = r.memory;
  if (m?.rows) {
    for (const { key, flags } of m.variants.filter((v) => v.flags)) {
      const list = m.rows.filter((row) => row.key === key && row.ok);
      if (list.length < 2) continue;
      const last = list.at(-1);
      const name = flags.length ? `CLI, node ${flags.join(" ")}` : "CLI as shipped";
      out.push([
        `${name}: peak RSS at ${fmtInt(last.ids)} ids ≤ 100 MiB`,
        fmtMb(last.peakRssKb.median),
        verdict(last.peakRssKb.median <= 100 * 1024),
      ]);
      out.push([
        `${name}: within 1.20× of ${fmtInt(list[0].ids)} ids`,
        `${ratio(m.growth[key])}×`,
        verdict(m.growth[key] <= 1.2),
      ]);
    }
  }
  const s = r.sizes;
  const core = s?.find((row) => row.name === "@batch-custom-data/core" && !row.note);
  const ofetch = s?.find((row) => row.name === OFETCH_NAME);
  if (core?.gzipBytes && ofetch?.gzipBytes) {
    out.push([
      "core (min + gzip) below ofetch, or explained per feature (below)",
      `${fmtInt(core.gzipBytes)} B vs ${fmtInt(ofetch.gzipBytes)} B`,
      core.gzipBytes < ofetch.gzipBytes ? "**met**" : "above: see the core by module",
    ]);
  }
  return out;
}

export function render(r) {
  const lines = [];
  const push = (...l) => lines.push(...l);
  push(
    `# Benchmark results${r.quick ? " (quick)" : ""}${r.wanOnly ? " (WAN only)" : ""}${r.adaptiveOnly ? " (adaptive concurrency only)" : ""}`,
    "",
  );
  push(
    `${r.date.slice(0, 10)} · \`${r.command}\` · ${r.machine.nproc} × ${r.machine.cpu} · Node ${r.machine.node} · ${r.durationS} s (${Object.entries(
      r.sectionSeconds ?? {},
    )
      .map(([name, s]) => `${name} ${s} s`)
      .join(
        ", ",
      )}) · load average ${r.loadavgBefore[0].toFixed(2)} before, ${r.loadavgAfter[0].toFixed(2)} after`,
    "",
  );
  if (r.quick) {
    push(
      "Quick run: fewer ids, fewer pairs and rounds. Its ratios are indicative only; `pnpm bench` gives the figures.",
      "",
    );
  }
  push("```text", ...summaryLines(r), "```", "");

  const g = goals(r);
  if (g.length && r.quick) {
    // A quick run's figures are too few (and too small) to settle a goal.
    for (const row of g) row[2] = "(quick run: see `pnpm bench`)";
  }
  if (g.length) push("## Goals", "", table(["goal", "measured", ""], g), "");

  const h = r.headline;
  if (h) {
    push(
      `## Paired runs: ${fmtInt(h.ids)} ids, bulk calls of ${fmtInt(h.idsPerCall)}, concurrency ${h.concurrency}, loopback`,
      "",
      "Each pair runs A and B back to back in fresh processes, alternating which goes first; A/B is the median of the per-pair ratios, with its interquartile range. Times are medians (IQR) in ms.",
      "",
    );
    const rows = [];
    for (const key of ["global", "keepalive", "fileArray"]) {
      const c = h[key];
      if (!c?.n) continue;
      rows.push([
        c.label,
        c.n,
        c.a.label + (c.a.verified ? "" : " ⚠ not verified"),
        iqr(c.a.wallMs),
        iqr(c.a.cpuMs),
        c.b.label + (c.b.verified ? "" : " ⚠ not verified"),
        iqr(c.b.wallMs),
        iqr(c.b.cpuMs),
        fmtIqr(c.ratio.cpu),
        fmtIqr(c.ratio.wall),
      ]);
    }
    push(
      table(
        [
          "comparison",
          "pairs",
          "A",
          "A wall",
          "A CPU",
          "B",
          "B wall",
          "B CPU",
          "A/B CPU",
          "A/B wall",
        ],
        rows,
      ),
      "",
    );
  }

  const c = r.context;
  if (c) {
    push(
      `## Loopback context: ${fmtInt(c.ids)} ids, ${c.rounds} rounds in rotating order (median, min–max)`,
      "",
      "Loopback has no round trip and no TLS: it flatters curl and one-connection-per-call transports (see the WAN section).",
      "",
    );
    push(
      table(
        ["method", "wall ms", "client CPU ms (user+sys)", "ids/s", "emulator CPU use"],
        Object.values(c.methods).map((s) => [
          s.label + (s.verified ? "" : " ⚠ not verified"),
          range(s.wallMs),
          range(s.cpuMs),
          fmtInt((c.ids / s.wallMs.median) * 1000),
          `${(s.emulatorCoreUse.median * 100).toFixed(0)}%`,
        ]),
      ),
      "",
    );
  }

  if (r.capacity) {
    push(
      "## Emulator capacity (raw loop on keep-alive, bulk calls of 10,000 ids)",
      "",
      table(
        ["probe", "concurrency", "ids/s", "emulator CPU use", "ids per emulator CPU-second"],
        r.capacity.map((p) => [
          `${p.label} (${fmtInt(p.ids)} ids)`,
          p.concurrency,
          fmtInt(p.idsPerSecond),
          `${(p.emulatorCoreUse * 100).toFixed(0)}% of one core`,
          fmtInt(p.idsPerEmulatorCpuSecond),
        ]),
      ),
      "",
    );
  }

  const w = r.wan;
  if (w?.methods) {
    push(
      `## WAN model: ${fmtInt(w.ids)} ids over HTTPS with a ${w.rttMs} ms round trip, ${w.rounds} round(s) in rotating order (median, min–max)`,
      "",
      `Round trip set to ${w.rttMs} ms; measured through the proxy (1-byte echoes, median): ${fmtMs(w.measuredRttMs.before.median)} ms before the runs, ${fmtMs(w.measuredRttMs.after.median)} ms after (a loaded machine runs the proxy's timers late). A new connection costs 3 round trips before its first answer (TCP, TLS 1.3, the call): the first call of a probe process took ${fmtMs(w.firstCallMs)} ms, module loading included. Node clients are timed from their first call (process start-up excluded); the CLI and the curl scripts as whole processes. Connections opened are counted by the proxy.`,
      "",
    );
    const curl = w.methods.curl?.wallMs.median;
    const rows = Object.values(w.methods).map((s) => [
      s.label + (s.verified ? "" : " ⚠ not verified"),
      range(s.wallMs, seconds),
      s.cpuMs ? range(s.cpuMs) : "–",
      fmtInt(s.connections.median),
      curl ? `${ratio(curl / s.wallMs.median, 1)}×` : "–",
    ]);
    const n = w.naive;
    rows.push([
      `${n.label} **(extrapolated** from ${n.sampleCalls} calls, ${n.perCallMs.toFixed(1)} ms each)${n.verified ? "" : " ⚠ not verified"}`,
      `≈ ${fmtInt(n.extrapolatedMs / 1000)} (${(n.extrapolatedMs / 3_600_000).toFixed(1)} h)`,
      "–",
      "–",
      curl ? `1/${fmtInt(n.extrapolatedMs / curl)}` : "–",
    ]);
    push(
      table(
        ["method", "wall s", "client CPU ms", "connections opened", "speedup vs sequential curl"],
        rows,
      ),
      "",
    );
  } else if (w?.skipped) {
    push("## WAN model", "", `Not measured: ${w.skipped}.`, "");
  }

  push(...adaptiveMarkdown(r.adaptive));
  const m = r.memory;
  if (m) {
    push("## Memory: peak RSS of the deleting process, from a file of ids", "");
    push(
      table(
        ["process", "peak RSS", "wall s", "CPU s", "runs", "measured with"],
        m.rows.map((row) => [
          row.name + (row.ok ? "" : " ⚠ failed"),
          row.runs.length > 1 ? range(row.peakRssKb, fmtMb) : fmtMb(row.peakRssKb.median),
          row.wallMs
            ? row.runs.length > 1
              ? range(row.wallMs, seconds)
              : seconds(row.wallMs.median)
            : "–",
          row.cpuMs
            ? row.runs.length > 1
              ? range(row.cpuMs, seconds)
              : seconds(row.cpuMs.median)
            : "–",
          row.runs.length,
          row.method ?? "–",
        ]),
      ),
      "",
    );
    if (m.skipped) push(`CLI not measured: ${m.skipped}.`, "");
    if (m.ways) {
      push(
        "Where `--max-semi-space-size` can be set so that it takes effect (`src/semi-space.mjs`: the young generation's size after the same allocations):",
        "",
        table(
          ["set by", "young generation", "takes effect"],
          m.ways.map((w) => [
            w.way,
            w.newSpaceMb === null ? `failed: ${w.error}` : `${w.newSpaceMb} MiB`,
            w.takesEffect === undefined ? "–" : w.takesEffect ? "yes" : "**no**",
          ]),
        ),
        "",
      );
    }
    // Each flag's cost and saving against as shipped, size by size (medians).
    const shipped = (ids) => m.rows.find((row) => row.key === "cli" && row.ids === ids && row.ok);
    const cost = m.rows
      .filter((row) => row.flags?.length && row.ok && shipped(row.ids))
      .map((row) => {
        const b = shipped(row.ids);
        return [
          `\`${row.flags.join(" ")}\``,
          fmtInt(row.ids),
          `${ratio(row.peakRssKb.median / b.peakRssKb.median)}× (${fmtMb(row.peakRssKb.median - b.peakRssKb.median)})`,
          `${ratio(row.cpuMs.median / b.cpuMs.median)}×`,
          `${ratio(row.wallMs.median / b.wallMs.median)}×`,
        ];
      });
    if (cost.length) {
      push(
        "Against as shipped (medians):",
        "",
        table(["node flags", "ids", "peak RSS", "CPU", "wall"], cost),
        "",
      );
    }
  }

  if (r.sizes) {
    push("## Bundle size (esbuild minify, gzip -9)", "", sizesTable(r.sizes), "");
  }
  const cm = r.coreModules;
  if (cm?.modules) {
    push(
      `### The core by module (its main entry bundled from source: ${fmtInt(cm.minBytes)} B minified, ${fmtInt(cm.gzipBytes)} B gzipped)`,
      "",
      "Gzip does not split by module: each module's gzip bytes are its share of the minified bytes, applied to the gzipped total.",
      "",
      table(
        ["module", "what it buys", "minified B", "≈ gzip B"],
        cm.modules.map((mod) => [
          `\`${mod.module}\``,
          mod.feature,
          fmtInt(mod.minBytes),
          fmtInt(mod.gzipBytesEstimate),
        ]),
      ),
      "",
    );
  }
  return `${lines.join("\n").trimEnd()}\n`;
}
