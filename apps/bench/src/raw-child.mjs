// The physical limit of client overhead: the same bulk bodies of 10,000 ids, built before the
// clock, sent with plain `fetch` and the same concurrency; each answer read and its token
// checked. Prints one JSON line.
// With "buildInClock", each body is JSON.stringify-ed by the worker that sends it, inside the
// clock, as any client must: the floor for a client that takes ids, not ready-made bodies.
// With "seconds" set it is the emulator-capacity probe: the bodies are sent over and over
// (at most "maxCalls" calls) until that many seconds have passed.
import { makeIds } from "./util.mjs";
import { warmUp } from "./warmup.mjs";

const {
  baseUrl,
  apiKey,
  restApiKey,
  ids: count,
  concurrency,
  perCall = 10_000,
  seconds,
  maxCalls,
  buildInClock = false,
} = JSON.parse(process.argv[2]);

const ids = makeIds(count);
const bodies = [];
const build = (i) => JSON.stringify(ids.slice(i * perCall, (i + 1) * perCall));
for (let i = 0; i * perCall < count; i++) bodies.push(buildInClock ? null : build(i));
const idsIn = (i) => Math.min(perCall, count - (i % bodies.length) * perCall);
const url = `${baseUrl}/${apiKey}/data/users`;
const headers = { "Content-Type": "application/json", "X-Authorization": restApiKey };
const calls = seconds ? Math.min(maxCalls ?? 100_000, 100_000) : bodies.length;
await warmUp(baseUrl, apiKey, restApiKey);

const cpu0 = process.cpuUsage();
const t0 = performance.now();
const deadline = seconds ? t0 + seconds * 1000 : Number.POSITIVE_INFINITY;
let next = 0;
let sent = 0;
let done = 0;

async function worker() {
  while (next < calls && performance.now() < deadline) {
    const i = next++;
    const response = await fetch(url, {
      method: "DELETE",
      headers,
      body: bodies[i % bodies.length] ?? build(i % bodies.length),
    });
    const { token } = await response.json();
    if (!response.ok || typeof token !== "string") throw new Error(`HTTP ${response.status}`);
    sent += idsIn(i);
    done++;
  }
}
await Promise.all(Array.from({ length: concurrency }, worker));
const wallMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);

console.log(
  JSON.stringify({
    wallMs,
    cpuUserMs: cpu.user / 1000,
    cpuSysMs: cpu.system / 1000,
    ids: sent,
    calls: done,
    peakRssKb: Math.round(process.resourceUsage().maxRSS),
  }),
);
