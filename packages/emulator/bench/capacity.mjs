#!/usr/bin/env node
// Capacity of the served emulator: ids/second accepted in bulk calls of 10,000 ids over HTTP
// on 127.0.0.1, with keep-alive and a few concurrent connections. Runs against the built dist
// (`pnpm --filter @batch-custom-data/emulator run build` first). Bounded in count and time:
// at most BENCH_IDS ids (default 1,000,000) or BENCH_SECONDS seconds (default 30), whichever
// comes first. Loopback only; stops by itself.
//
//   node packages/emulator/bench/capacity.mjs            (from the repository root)
//   BENCH_IDS=2000000 BENCH_CONCURRENCY=8 node packages/emulator/bench/capacity.mjs
import { Agent, request } from "node:http";
import { createEmulator } from "../dist/index.js";
import { serve } from "../dist/node.js";

const totalIds = Math.min(Number(process.env.BENCH_IDS ?? 1_000_000), 20_000_000);
const seconds = Math.min(Number(process.env.BENCH_SECONDS ?? 30), 300);
const concurrency = Math.min(Number(process.env.BENCH_CONCURRENCY ?? 4), 64);
const perCall = 10_000;
const calls = Math.ceil(totalIds / perCall);

const emulator = createEmulator({
  apps: ["API_KEY"],
  restApiKey: "REST_API_KEY",
  processingDelayMs: 0,
});
emulator.seed("API_KEY", totalIds);
const server = await serve(emulator, { port: 0, hostname: "127.0.0.1" });
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });

// Ids like the seeded ones (`user-1` …), 10,000 a body, bodies built ahead of the clock.
function body(call) {
  const ids = [];
  const start = call * perCall + 1;
  for (let i = 0; i < perCall && start + i <= totalIds; i++) ids.push(`user-${start + i}`);
  return { count: ids.length, bytes: Buffer.from(JSON.stringify(ids)) };
}
const bodies = Array.from({ length: calls }, (_, i) => body(i));

function send({ bytes }) {
  return new Promise((resolve, reject) => {
    const req = request(
      `${server.baseUrl}/API_KEY/data/users`,
      {
        method: "DELETE",
        agent,
        headers: {
          "content-type": "application/json",
          "x-authorization": "REST_API_KEY",
          "content-length": bytes.length,
        },
      },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () =>
          res.statusCode === 200
            ? resolve()
            : reject(new Error(`HTTP ${res.statusCode}: ${Buffer.concat(chunks)}`)),
        );
      },
    );
    req.on("error", reject);
    req.end(bytes);
  });
}

const deadline = Date.now() + seconds * 1000;
let next = 0;
let accepted = 0;
let bytesSent = 0;
const started = process.hrtime.bigint();
const cpuStart = process.cpuUsage();
async function worker() {
  while (next < calls && Date.now() < deadline) {
    const b = bodies[next++];
    await send(b);
    accepted += b.count;
    bytesSent += b.bytes.length;
  }
}
await Promise.all(Array.from({ length: concurrency }, worker));
const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
const cpu = process.cpuUsage(cpuStart);
await emulator.settled();

const idsPerSecond = Math.round(accepted / elapsed);
console.log(
  JSON.stringify(
    {
      date: new Date().toISOString().slice(0, 10),
      node: process.version,
      idsAccepted: accepted,
      callsOf10k: Math.ceil(accepted / perCall),
      concurrency,
      seconds: Number(elapsed.toFixed(3)),
      idsPerSecond,
      // Client and server share the process: CPU per call covers both (steadier than wall
      // time on a busy machine).
      cpuMsPerCall: Number(
        ((cpu.user + cpu.system) / 1000 / Math.ceil(accepted / perCall)).toFixed(2),
      ),
      megabytesPerSecond: Number((bytesSent / elapsed / 1e6).toFixed(1)),
      usersLeft: emulator.count("API_KEY"),
    },
    null,
    2,
  ),
);
agent.destroy();
await server.close();
emulator.close();
