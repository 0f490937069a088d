// Paired, alternating runs: the fair way to compare two clients on a shared machine. Each pair
// runs A and B back to back (A first in even pairs, B first in odd ones), so both halves of a
// pair see the same load and neither always runs first; the figure is the median of the
// per-pair ratios A/B, with its interquartile range as the spread. Comparisons interleave pair
// by pair, so they all sample the same stretch of the run.
import { fmtMs, stats } from "./util.mjs";

/**
 * `comparisons`: [{ key, label, a: {label, ...}, b: {label, ...} }]; `measure(side)` runs one
 * side and resolves with {wallMs, cpuMs, verified, ...}. Stops at `deadline` once `minPairs` are in.
 */
export async function pairedRounds({ comparisons, pairs, minPairs = 3, deadline, measure, log }) {
  const runs = comparisons.map(() => []);
  for (let i = 0; i < pairs; i++) {
    if (i >= minPairs && performance.now() > deadline) {
      log(`bench: time budget reached after ${i} pairs`);
      break;
    }
    for (const [k, comparison] of comparisons.entries()) {
      const order = i % 2 === 0 ? ["a", "b"] : ["b", "a"];
      const pair = { first: order[0] };
      for (const side of order) pair[side] = await measure(comparison[side]);
      runs[k].push(pair);
      const ratio = (what) => (pair.a[what] / pair.b[what]).toFixed(2);
      log(
        `  pair ${String(i + 1).padStart(2)} ${comparison.key.padEnd(16)} ${order.join(",")}  A ${fmtMs(pair.a.wallMs).padStart(6)} ms wall ${fmtMs(pair.a.cpuMs).padStart(6)} ms cpu  B ${fmtMs(pair.b.wallMs).padStart(6)} / ${fmtMs(pair.b.cpuMs).padStart(6)}  A/B cpu ${ratio("cpuMs")} wall ${ratio("wallMs")}${pair.a.verified && pair.b.verified ? "" : "  NOT VERIFIED"}`,
      );
    }
  }
  return Object.fromEntries(comparisons.map((c, k) => [c.key, summarise(c, runs[k])]));
}

function summarise(comparison, pairs) {
  const side = (s) => ({
    label: comparison[s].label,
    wallMs: stats(pairs.map((p) => p[s].wallMs)),
    cpuMs: stats(pairs.map((p) => p[s].cpuMs)),
    verified: pairs.every((p) => p[s].verified),
  });
  return {
    label: comparison.label,
    n: pairs.length,
    a: side("a"),
    b: side("b"),
    ratio: {
      cpu: stats(pairs.map((p) => p.a.cpuMs / p.b.cpuMs)),
      wall: stats(pairs.map((p) => p.a.wallMs / p.b.wallMs)),
    },
    pairs,
  };
}
