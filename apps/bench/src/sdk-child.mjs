// One timed run of the SDK's `deleteUsers` over `ids` ids, in a process of its own so that its
// CPU time (process.cpuUsage()) is the client's alone. Prints one JSON line.
//   node sdk-child.mjs '{"baseUrl":"http://127.0.0.1:PORT/1.0","apiKey":"…","restApiKey":"…","ids":1000000,"concurrency":4}'
import { makeIds } from "./util.mjs";
import { warmUp } from "./warmup.mjs";

// BENCH_CORE_MODULE (a path or URL) swaps in another build of the core, to try a change.
const { createClient } = await import(process.env.BENCH_CORE_MODULE || "@batch-custom-data/core");
const { baseUrl, apiKey, restApiKey, ids: count, concurrency } = JSON.parse(process.argv[2]);
const ids = makeIds(count);
const client = createClient({ apiKey, restApiKey, baseUrl, concurrency });
await warmUp(baseUrl, apiKey, restApiKey);

const cpu0 = process.cpuUsage();
const t0 = performance.now();
const report = await client.deleteUsers(ids);
const wallMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);

console.log(
  JSON.stringify({
    wallMs,
    cpuUserMs: cpu.user / 1000,
    cpuSysMs: cpu.system / 1000,
    ids: report.confirmed,
    calls: report.calls,
    peakRssKb: Math.round(process.resourceUsage().maxRSS),
  }),
);
