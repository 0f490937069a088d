#!/usr/bin/env node
// Does the Node adapter need its own keep-alive transport? Sends the client's bulk calls to a
// local server that counts TCP connections, through:
//   - Node's global fetch (undici): keeps connections alive, except after a request whose
//     method it does not expect a body for (DELETE) that has one: every bulk call;
//   - createNodeFetch(): the adapter's transport (node:http, keep-alive Agent), the default
//     of createClientFromEnv;
//   - node:http without keep-alive (a new connection per call), for scale.
// Run after `pnpm --filter @batch-custom-data/node build`: node bench/keepalive.mjs
import { randomUUID } from "node:crypto";
import { Agent, createServer, request } from "node:http";
import { createClient, createNodeFetch } from "../dist/index.js";

let connections = 0;
const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    const body = JSON.stringify({ token: randomUUID() });
    res.writeHead(200, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
    });
    res.end(body);
  });
});
server.keepAliveTimeout = 5000;
server.on("connection", () => connections++);
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const baseUrl = `http://127.0.0.1:${server.address().port}/1.0`;

/** A fetch over node:http with a non-keep-alive agent (the "no keep-alive" row). */
function httpFetch(agent) {
  return (url, init) =>
    new Promise((resolve, reject) => {
      // node:http sends a DELETE body without Content-Length unless told: set it.
      const headers = { ...init.headers, "content-length": Buffer.byteLength(init.body ?? "") };
      const req = request(
        url,
        { method: init.method, headers, agent, signal: init.signal },
        (res) => {
          const parts = [];
          res.on("data", (part) => parts.push(part));
          res.on("end", () =>
            resolve(new Response(Buffer.concat(parts), { status: res.statusCode })),
          );
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(init.body);
    });
}

const workloads = [
  { name: "2,000 calls of 10 ids, concurrency 16", ids: 20_000, chunkSize: 10, concurrency: 16 },
  {
    name: "50 calls of 10,000 ids, concurrency 4",
    ids: 500_000,
    chunkSize: 10_000,
    concurrency: 4,
  },
];

const rows = [];
for (const w of workloads) {
  const nodeFetch = createNodeFetch();
  const transports = [
    ["global fetch (undici)", undefined],
    ["createNodeFetch() (adapter default)", nodeFetch],
    ["node:http, no keep-alive", httpFetch(new Agent({ keepAlive: false }))],
  ];
  for (const [name, fetch] of transports) {
    const client = createClient({
      apiKey: "APP_KEY",
      restApiKey: "REST_KEY",
      baseUrl,
      fetch,
      chunkSize: w.chunkSize,
      concurrency: w.concurrency,
    });
    const ids = function* () {
      for (let i = 0; i < w.ids; i++) yield `user-${i}`;
    };
    await client.deleteUsers(ids()); // warm-up, not counted
    const times = [];
    let opened = 0;
    for (let run = 0; run < 3; run++) {
      const before = connections;
      const t = performance.now();
      const report = await client.deleteUsers(ids());
      times.push(performance.now() - t);
      opened = connections - before;
      if (report.confirmed !== w.ids) throw new Error("not every id confirmed");
    }
    times.sort((a, b) => a - b);
    rows.push({
      workload: w.name,
      transport: name,
      "median ms (3 runs)": Math.round(times[1]),
      "calls/s": Math.round(w.ids / w.chunkSize / (times[1] / 1000)),
      "connections opened (last run)": opened,
    });
  }
  nodeFetch.close();
}
console.log(`Node ${process.version}, undici ${process.versions.undici}`);
console.table(rows);
server.close();
server.closeAllConnections();
