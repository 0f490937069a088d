// One timed run of the SDK's `deleteUsers`, in a process of its own so that its CPU time
// (process.cpuUsage()) is the client's alone. Prints one JSON line.
//   node sdk-child.mjs '{"baseUrl":"http://127.0.0.1:PORT/1.0","apiKey":"…","restApiKey":"…","ids":1000000}'
// Options: "transport" ("global" or "keepalive", see transport.mjs), or "package": "node" for
// the Node adapter's createClient with its own defaults (keep-alive); "concurrency" and
// "adaptive" (default: the SDK's own defaults, adaptive up to 16); "file": ids read by the Node adapter's readIds(file) inside the clock
// instead of an array made before it; "warm" (default true): one untimed call first.
import { makeTransport } from "./transport.mjs";
import { assertAllConfirmed, clientOptions, clock, makeIds } from "./util.mjs";
import { warmUp } from "./warmup.mjs";

const {
  baseUrl,
  apiKey,
  restApiKey,
  ids: count,
  concurrency,
  adaptive,
  transport: transportName = "global",
  package: fromPackage = "core",
  file,
  warm = true,
} = JSON.parse(process.argv[2]);

// BENCH_CORE_MODULE (a path or URL) swaps in another build of the core, to try a change.
const { createClient } =
  fromPackage === "node"
    ? await import("@batch-custom-data/node")
    : await import(process.env.BENCH_CORE_MODULE || "@batch-custom-data/core");
// Today readIds yields ids one by one; with the portable layer it yields batches (arrays).
// deleteUsers takes either, so the call below is the same for both.
const { readIds } = file ? await import("@batch-custom-data/node") : {};
const transport = await makeTransport(transportName);
const client = createClient(
  clientOptions({ baseUrl, apiKey, restApiKey, adaptive, concurrency }, transport),
);
const ids = file ? undefined : makeIds(count);
if (warm) await warmUp(transport.send, baseUrl, apiKey, restApiKey);

const timer = clock();
const report = await client.deleteUsers(file ? readIds(file) : ids);
const timed = timer.stop();
transport.close();

assertAllConfirmed(report, count);
console.log(
  JSON.stringify({
    ...timed,
    ids: report.confirmed,
    calls: report.calls,
    peakRssKb: Math.round(process.resourceUsage().maxRSS),
  }),
);
