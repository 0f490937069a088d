// One timed deleteUsers run with a chosen pace, in a process of its own. Prints one JSON line.
//   node adaptive-child.mjs '{"baseUrl":"…","apiKey":"…","restApiKey":"…","ids":1000000}'
// Options: "adaptive" and "concurrency" (default: the SDK's, adaptive up to 16), "chunkSize",
// "transport" ("global" or "keepalive", see transport.mjs), "windows": true to also report,
// second by second (epoch seconds, as the emulator's timeline counts them), the window the run
// allowed at the end of that second (onProgress's `concurrency`).
import { createClient } from "@batch-custom-data/core";
import { makeTransport } from "./transport.mjs";
import { assertAllConfirmed, clientOptions, clock, makeIds } from "./util.mjs";

const {
  baseUrl,
  apiKey,
  restApiKey,
  ids: count,
  adaptive,
  concurrency,
  chunkSize,
  transport: transportName = "keepalive",
  windows = false,
} = JSON.parse(process.argv[2]);

const transport = await makeTransport(transportName);
const client = createClient(
  clientOptions({ baseUrl, apiKey, restApiKey, adaptive, concurrency, chunkSize }, transport),
);
const ids = makeIds(count);
const bySecond = new Map();

const timer = clock();
const report = await client.deleteUsers(ids, {
  ...(windows
    ? { onProgress: (p) => bySecond.set(Math.floor(Date.now() / 1000), p.concurrency) }
    : {}),
});
const timed = timer.stop();
transport.close();

assertAllConfirmed(report, count);
console.log(
  JSON.stringify({
    ...timed,
    ids: report.confirmed,
    calls: report.calls,
    ...(windows ? { windows: [...bySecond].map(([at, window]) => ({ at, window })) } : {}),
  }),
);
