#!/usr/bin/env node
// The served emulator under abuse (issue 16, item 15): what hostile clients cost it, measured
// from outside. Runs against the built dist (`pnpm --filter @batch-custom-data/emulator run
// build` first); the server runs in its own process (bench/abuse-server.mjs) so its peak RSS
// (VmHWM) and its longest event-loop stall are its own. Loopback only, every wait bounded,
// everything stopped at the end.
//
//   node packages/emulator/bench/abuse.mjs                      every scenario
//   node packages/emulator/bench/abuse.mjs bodies brackets      some of them
//
// Scenarios:
//   bodies     ABUSE_CONNECTIONS (20) unauthenticated bulk DELETEs, each sending a body of
//              ABUSE_BODY_MIB (59) MiB; a legitimate call is timed meanwhile.
//   brackets   one authenticated bulk DELETE whose body is 64 MiB of `[`.
//   half-sent  the server under `ulimit -n 1024`; ABUSE_IDLE (1100) connections that send
//              headers and half a body, then nothing. Is a legitimate call served while they
//              stay, are they closed by the server within ABUSE_WAIT_S (35) s, and is a
//              legitimate call served after they leave?
import { spawn } from "node:child_process";
import { connect } from "node:net";
import { fileURLToPath } from "node:url";

const MiB = 1024 * 1024;
const env = process.env;
const serverScript = fileURLToPath(new URL("./abuse-server.mjs", import.meta.url));
const serveOptions = env.ABUSE_SERVE_OPTIONS ?? "{}";

function startServer({ nofile } = {}) {
  const command = `${nofile ? `ulimit -n ${nofile}; ` : ""}exec "${process.execPath}" "${serverScript}" '${serveOptions}'`;
  const child = spawn("bash", ["-c", command], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const next = () =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("the server did not answer")), 30_000);
      child.once("message", (m) => {
        clearTimeout(timer);
        resolve(m);
      });
    });
  return next().then(({ port }) => ({
    port,
    stats: () => {
      const answer = next();
      child.send("stats");
      return answer;
    },
    close: async () => {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.send("close");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
  }));
}

const head = (path, key, length) =>
  `DELETE ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Authorization: ${key}\r\nContent-Length: ${length}\r\n\r\n`;

/**
 * Sends `head` then `body` (in 1 MiB slices, honouring backpressure) on a fresh connection.
 * Resolves with the status line's code, when it came, and how much of the body was written
 * by then; settles when the body is written or the connection ends, or after `timeoutMs`.
 */
function send(port, text, body = Buffer.alloc(0), timeoutMs = 60_000) {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = connect(port, "127.0.0.1");
    let written = 0;
    let status = null;
    let answeredAfterBytes = null;
    let answeredMs = null;
    let received = "";
    let finished = false;
    let closed = false;
    const done = (error) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({
        status,
        answeredMs: answeredMs === null ? null : Math.round(answeredMs),
        answeredAfterMiB:
          answeredAfterBytes === null ? null : +(answeredAfterBytes / MiB).toFixed(2),
        writtenMiB: +(written / MiB).toFixed(2),
        error: error ?? null,
      });
    };
    const timer = setTimeout(() => done("timeout"), timeoutMs);
    socket.on("data", (chunk) => {
      if (status !== null) return;
      received += chunk.toString("latin1");
      const match = /^HTTP\/1\.1 (\d{3})/.exec(received);
      if (match) {
        status = Number(match[1]);
        answeredMs = performance.now() - started;
        answeredAfterBytes = written;
        if (finished) done();
      }
    });
    socket.on("error", (e) => {
      if (!closed) done(e.code ?? e.message);
    });
    socket.on("close", () => {
      closed = true;
      done(status === null ? "closed" : undefined);
    });
    socket.on("connect", async () => {
      socket.write(text);
      for (let offset = 0; offset < body.length && !closed; offset += MiB) {
        const slice = body.subarray(offset, offset + MiB);
        written += slice.length;
        if (!socket.write(slice)) {
          await new Promise((r) => {
            const go = () => {
              socket.off("drain", go);
              socket.off("close", go);
              r();
            };
            socket.on("drain", go);
            socket.on("close", go);
          });
        }
      }
      finished = true;
      if (status !== null) done();
    });
  });
}

const legit = (port, timeoutMs = 5000) =>
  send(
    port,
    head("/1.0/API_KEY/data/users", "REST_API_KEY", 9),
    Buffer.from('["user1"]'),
    timeoutMs,
  );

async function bodies() {
  const n = Number(env.ABUSE_CONNECTIONS ?? 20);
  const mib = Number(env.ABUSE_BODY_MIB ?? 59);
  const server = await startServer();
  const body = Buffer.alloc(mib * MiB, 0x61);
  const started = performance.now();
  const abusers = Array.from({ length: n }, () =>
    send(server.port, head("/1.0/API_KEY/data/users", "WRONG_KEY", body.length), body, 120_000),
  );
  await new Promise((r) => setTimeout(r, 200));
  const during = await legit(server.port, 30_000);
  const results = await Promise.all(abusers);
  const seconds = (performance.now() - started) / 1000;
  const stats = await server.stats();
  await server.close();
  return {
    scenario: `bodies: ${n} unauthenticated connections × ${mib} MiB`,
    statuses: count(results.map((r) => r.status ?? r.error)),
    answeredAfterMiB: spread(results.map((r) => r.answeredAfterMiB)),
    answeredMs: spread(results.map((r) => r.answeredMs)),
    legitimateCallDuring: { status: during.status, ms: during.answeredMs },
    seconds: +seconds.toFixed(1),
    server: stats,
  };
}

async function brackets() {
  const server = await startServer();
  const body = Buffer.alloc(64 * MiB, 0x5b);
  const result = await send(
    server.port,
    head("/1.0/API_KEY/data/users", "REST_API_KEY", body.length),
    body,
    120_000,
  );
  const stats = await server.stats();
  await server.close();
  return { scenario: "brackets: 64 MiB of [ with the right keys", ...result, server: stats };
}

async function halfSent() {
  const n = Number(env.ABUSE_IDLE ?? 1100);
  const waitS = Number(env.ABUSE_WAIT_S ?? 35);
  const server = await startServer({ nofile: 1024 });
  const sockets = [];
  let connected = 0;
  let closedByServer = 0;
  let leaving = false;
  await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise((resolve) => {
          const socket = connect(server.port, "127.0.0.1");
          sockets.push(socket);
          const timer = setTimeout(resolve, 10_000);
          socket.on("connect", () => {
            connected++;
            socket.write(`${head("/1.0/API_KEY/data/users", "REST_API_KEY", 1000)}["user1",`);
            clearTimeout(timer);
            resolve();
          });
          socket.on("error", () => undefined);
          // Read, so that a close by the server is seen.
          socket.resume();
          socket.on("close", () => {
            if (!leaving) closedByServer++;
            clearTimeout(timer);
            resolve();
          });
        }),
    ),
  );
  await new Promise((r) => setTimeout(r, 500));
  const closedAtOnce = closedByServer;
  const during = await legit(server.port, 5000);
  const started = performance.now();
  while (performance.now() - started < waitS * 1000 && closedByServer < n) {
    await new Promise((r) => setTimeout(r, 250));
  }
  const closedInTime = closedByServer;
  leaving = true;
  for (const socket of sockets) socket.destroy();
  await new Promise((r) => setTimeout(r, 500));
  const after = await legit(server.port, 5000);
  const stats = await server.stats();
  await server.close();
  return {
    scenario: `half-sent: ${n} idle half-sent requests, server under ulimit -n 1024`,
    connected,
    closedByServerWithin500ms: closedAtOnce,
    [`closedByServerWithin${waitS}s`]: closedInTime,
    legitimateCallWhileTheyStay: {
      status: during.status,
      ms: during.answeredMs,
      error: during.error,
    },
    legitimateCallAfterTheyLeave: {
      status: after.status,
      ms: after.answeredMs,
      error: after.error,
    },
    server: stats,
  };
}

function count(values) {
  const counts = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}

function spread(values) {
  const known = values.filter((v) => v !== null).sort((a, b) => a - b);
  if (known.length === 0) return null;
  return { min: known[0], median: known[Math.floor(known.length / 2)], max: known.at(-1) };
}

const scenarios = { bodies, brackets, "half-sent": halfSent };
const chosen = process.argv.slice(2);
for (const name of chosen.length > 0 ? chosen : Object.keys(scenarios)) {
  if (!scenarios[name]) throw new Error(`unknown scenario ${name}: ${Object.keys(scenarios)}`);
  console.log(
    JSON.stringify(
      {
        date: new Date().toISOString().slice(0, 10),
        node: process.version,
        ...(await scenarios[name]()),
      },
      null,
      2,
    ),
  );
}
