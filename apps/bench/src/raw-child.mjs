// One timed run of a plain fetch loop: the ids' bodies sent `concurrency` at a time, each answer
// read and its token checked. Prints one JSON line like sdk-child.mjs. Options:
//   "buildInClock": each body is JSON.stringify-ed from its slice of ids inside the clock, as
//      any client handed ids must (the fair baseline for the SDK); without it the bodies are
//      built before the clock (the floor: what a client that is handed ready-made bodies pays);
//   "transport": "global" or "keepalive" (transport.mjs), the same one the SDK is measured on;
//   "warm" (default true): one untimed call first;
//   "seconds" (+ "maxCalls"): the emulator-capacity probe, sending the bodies over and over
//      until that many seconds have passed.
import { makeTransport } from "./transport.mjs";
import { clock, makeIds } from "./util.mjs";
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
  transport: transportName = "global",
  warm = true,
} = JSON.parse(process.argv[2]);

const transport = await makeTransport(transportName);
const send = transport.send;
const ids = makeIds(count);
const slices = Math.ceil(count / perCall);
const build = (i) => JSON.stringify(ids.slice(i * perCall, (i + 1) * perCall));
const prebuilt = buildInClock ? [] : Array.from({ length: slices }, (_, i) => build(i));
const idsIn = (i) => Math.min(perCall, count - (i % slices) * perCall);
const url = `${baseUrl}/${apiKey}/data/users`;
const headers = { "Content-Type": "application/json", "X-Authorization": restApiKey };
const calls = seconds ? Math.min(maxCalls ?? 100_000, 100_000) : slices;
if (warm) await warmUp(send, baseUrl, apiKey, restApiKey);

const timer = clock();
const deadline = seconds ? timer.t0 + seconds * 1000 : Number.POSITIVE_INFINITY;
let next = 0;
let sent = 0;
let done = 0;

async function worker() {
  while (next < calls && performance.now() < deadline) {
    const i = next++;
    const body = buildInClock ? build(i % slices) : prebuilt[i % slices];
    const response = await send(url, { method: "DELETE", headers, body });
    const { token } = await response.json();
    if (!response.ok || typeof token !== "string") throw new Error(`HTTP ${response.status}`);
    sent += idsIn(i);
    done++;
  }
}
await Promise.all(Array.from({ length: concurrency }, worker));
const timed = timer.stop();
transport.close();

console.log(
  JSON.stringify({
    ...timed,
    ids: sent,
    calls: done,
    peakRssKb: Math.round(process.resourceUsage().maxRSS),
  }),
);
