// The real network's shape: the emulator served over HTTPS (a self-signed certificate made for
// this run by openssl, trusted by this run's clients only: NODE_EXTRA_CA_CERTS for the Node
// processes, --cacert for curl), behind delay-proxy.mjs, which gives every connection a round
// trip of `rttMs` (TCP and TLS handshakes included). Then the same ids go through every way of
// deleting them, in rounds whose order rotates:
//   - the SDK with its defaults on Node (@batch-custom-data/node's createClient: keep-alive),
//     with the core's defaults (its createClient: the global fetch), and at concurrency 16;
//   - a raw fetch loop at concurrency 4 on the global fetch, bodies built in the clock;
//   - the CLI (`batch-custom-data delete --file`, the whole process);
//   - the documented curl script, sequential and `xargs -P 4`;
//   - a naive loop, one DELETE per user, from a sample, extrapolated (and labelled so).
// Runs start cold (no warm-up call): a script deleting a million ids pays its first handshakes.
import { execFileSync, fork } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { connect, createServer } from "node:net";
import { join } from "node:path";
import { curlScript, nodeClient } from "./clients.mjs";
import { findCurl, sequentialScript, writePayloads, xargsScript } from "./curl.mjs";
import { startEmulator } from "./emulator.mjs";
import { writeIdFile } from "./memory.mjs";
import {
  API_KEY,
  BENCH_DIR,
  closeChild,
  fmtInt,
  fmtMs,
  REST_API_KEY,
  run,
  stats,
  track,
} from "./util.mjs";

const PER_CALL = 10_000;

/** A self-signed certificate for 127.0.0.1 (ECDSA P-256, one day), or why there is none. */
export function makeCertificate(dir) {
  const cert = join(dir, "cert.pem");
  const key = join(dir, "key.pem");
  try {
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
        "-keyout",
        key,
        "-out",
        cert,
      ],
      { stdio: "pipe", timeout: 10_000 },
    );
    return { cert, key };
  } catch (error) {
    return {
      missing: `openssl could not make a certificate (${String(error.message).split("\n")[0]})`,
    };
  }
}

/** Starts delay-proxy.mjs in front of `targetPort`. */
export async function startProxy(targetPort, rttMs) {
  const child = fork(
    join(BENCH_DIR, "src", "delay-proxy.mjs"),
    [JSON.stringify({ targetPort, rttMs })],
    {
      stdio: ["ignore", "ignore", "inherit", "ipc"],
    },
  );
  track(child);
  const { port } = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the delay proxy did not start")), 10_000);
    child.once("message", (message) => {
      clearTimeout(timer);
      resolve(message);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the delay proxy exited (${code}) before it was ready`));
    });
  });
  let lastId = 0;
  const connections = () =>
    new Promise((resolve, reject) => {
      const id = ++lastId;
      const timer = setTimeout(() => reject(new Error("the delay proxy did not answer")), 10_000);
      const onMessage = (message) => {
        if (message.id !== id) return;
        clearTimeout(timer);
        child.off("message", onMessage);
        resolve(message.connections);
      };
      child.on("message", onMessage);
      child.send({ cmd: "stats", id });
    });
  const close = () => closeChild(child, 3000);
  return { port, connections, close };
}

/**
 * The round trip the proxy really gives on this machine now: 1-byte echoes through a second
 * proxy of the same kind to an echo server in this process (a loaded machine schedules the
 * proxy's timers late, so it is slower than set). Median of `samples` on one connection.
 */
async function measureRtt(rttMs, samples = 20) {
  const echo = createServer((socket) => {
    socket.on("error", () => {});
    socket.pipe(socket);
  });
  await new Promise((resolve) => echo.listen(0, "127.0.0.1", resolve));
  const proxy = await startProxy(echo.address().port, rttMs);
  const socket = connect({ host: "127.0.0.1", port: proxy.port, noDelay: true });
  try {
    await new Promise((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    const times = [];
    for (let i = 0; i < samples; i++) {
      const t = performance.now();
      socket.write("x");
      await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("no echo through the proxy")), 5000);
        socket.once("data", () => {
          clearTimeout(timer);
          resolve();
        });
      });
      // The first one also waits out the modelled TCP handshake: not a plain round trip.
      if (i > 0) times.push(performance.now() - t);
    }
    return stats(times);
  } finally {
    socket.destroy();
    await proxy.close();
    echo.close();
  }
}

/** Probes the chain once with the proxy's RTT: a TLS connection plus one call over it. */
async function probe(baseUrl, env) {
  const code = `const t=performance.now();const r=await fetch(${JSON.stringify(`${baseUrl}/${API_KEY}/data/users/probe`)},{method:"DELETE",headers:{"X-Authorization":${JSON.stringify(REST_API_KEY)}}});await r.json();console.log(JSON.stringify({status:r.status,ms:performance.now()-t}))`;
  const result = await run(process.execPath, ["--input-type=module", "-e", code], {
    env,
    timeoutMs: 15_000,
  });
  if (result.code !== 0) throw new Error(`WAN probe failed: ${result.stderr.slice(-1000)}`);
  return JSON.parse(result.stdout.trim().split("\n").pop());
}

export async function wan({
  ids,
  rttMs,
  rounds,
  naiveSample,
  tmpDir,
  deadline,
  timeoutMs,
  cli,
  log,
}) {
  const dir = join(tmpDir, "wan");
  mkdirSync(dir, { recursive: true });
  const certificate = makeCertificate(dir);
  if (certificate.missing) return { skipped: certificate.missing };
  const curl = findCurl();

  const emulator = await startEmulator({ tls: certificate });
  const proxy = await startProxy(emulator.tlsPort, rttMs);
  try {
    const baseUrl = `https://127.0.0.1:${proxy.port}/1.0`;
    // This run's certificate, trusted by this run's Node processes only.
    const env = { ...process.env, NODE_EXTRA_CA_CERTS: certificate.cert };
    const rttBefore = await measureRtt(rttMs);
    log(
      `bench: wan: round trip through the proxy, set ${rttMs} ms: measured ${fmtMs(rttBefore.median)} ms (median of ${rttBefore.n}, ${fmtMs(rttBefore.min)}–${fmtMs(rttBefore.max)})`,
    );
    const check = await probe(baseUrl, env);
    log(
      `bench: wan: ${baseUrl} (TLS, RTT ${rttMs} ms): first call on a new connection took ${fmtMs(check.ms)} ms (3 round trips: TCP, TLS 1.3, the call)`,
    );
    const payloadDir = join(dir, "payloads");
    mkdirSync(payloadDir);
    writePayloads(payloadDir, ids, PER_CALL);
    const idFile = join(dir, "ids.txt");
    if (cli?.path) await writeIdFile(idFile, ids);

    const node = (script, config) => () =>
      nodeClient(script, { baseUrl, ids, warm: false, ...config }, { timeoutMs, env });
    const curlRun = (script) => () =>
      curlScript(script, {
        payloadDir,
        url: `${baseUrl}/${API_KEY}/data/users`,
        concurrency: 4,
        cacert: certificate.cert,
        idsPerCall: PER_CALL,
        ids,
        timeoutMs,
      });
    const cliRun = async () => {
      const result = await run(process.execPath, [cli.path, "delete", "--file", idFile, "--yes"], {
        env: {
          ...env,
          BATCH_API_KEY: API_KEY,
          BATCH_REST_API_KEY: REST_API_KEY,
          BATCH_BASE_URL: baseUrl,
          NO_COLOR: "1",
          CI: "1",
        },
        timeoutMs,
      });
      if (result.code !== 0)
        throw new Error(`CLI failed (${result.code}): ${result.stderr.slice(-1000)}`);
      return { wallMs: result.wallMs, ids };
    };
    const methods = [
      {
        key: "sdk",
        label:
          "SDK, `@batch-custom-data/node` `createClient` defaults (keep-alive, adaptive up to 16)",
        run: node("sdk-child.mjs", { package: "node" }),
      },
      {
        key: "sdkGlobal",
        label:
          "SDK, `@batch-custom-data/core` `createClient` defaults (global fetch, adaptive up to 16)",
        run: node("sdk-child.mjs", {}),
      },
      {
        key: "sdk16",
        label: "SDK, `@batch-custom-data/node`, fixed concurrency 16",
        run: node("sdk-child.mjs", { package: "node", concurrency: 16, adaptive: false }),
      },
      {
        key: "raw",
        label: "raw `fetch` loop, concurrency 4, global fetch, bodies built in the clock",
        run: node("raw-child.mjs", { concurrency: 4, buildInClock: true }),
      },
      ...(cli?.path
        ? [
            {
              key: "cli",
              label: "`batch-custom-data delete --file` (whole process: start-up, count, send)",
              run: cliRun,
            },
          ]
        : []),
      ...(curl
        ? [
            {
              key: "curl",
              label: "documented `curl`, one per file, sequential",
              run: curlRun(sequentialScript({ tls: true })),
            },
            {
              key: "curlParallel",
              label: "documented `curl`, `xargs -P 4`",
              run: curlRun(xargsScript({ tls: true })),
            },
          ]
        : []),
    ];
    const runs = Object.fromEntries(methods.map((m) => [m.key, []]));
    for (let round = 0; round < rounds; round++) {
      if (round > 0 && performance.now() > deadline) {
        log(`bench: wan: time budget reached after ${round} rounds`);
        break;
      }
      for (let k = 0; k < methods.length; k++) {
        const method = methods[(round + k) % methods.length];
        await emulator.call("begin");
        const opened = await proxy.connections();
        const r = await method.run();
        r.connections = (await proxy.connections()) - opened;
        const server = await emulator.call("end");
        r.verified = server.idsAccepted === ids && server.errors === 0;
        runs[method.key].push(r);
        log(
          `  wan round ${round + 1} ${method.key.padEnd(15)} wall ${fmtMs(r.wallMs).padStart(7)} ms  ${r.cpuMs === undefined ? "" : `cpu ${fmtMs(r.cpuMs).padStart(6)} ms  `}connections ${r.connections}${r.verified ? "" : `  NOT VERIFIED ${JSON.stringify(server)}`}`,
        );
      }
    }

    // The naive loop: a sample, once (its time per call is the round trip, steady).
    await emulator.call("begin");
    const naive = await nodeClient(
      "naive-child.mjs",
      {
        baseUrl,
        sample: naiveSample,
        seconds: Math.max(2, Math.min(15, (naiveSample * rttMs * 2) / 1000)),
      },
      { timeoutMs, env },
    );
    const naiveServer = await emulator.call("end");
    const perCallMs = naive.wallMs / naive.calls;
    log(
      `  wan naive: ${naive.calls} calls in ${fmtMs(naive.wallMs)} ms (${perCallMs.toFixed(1)} ms per call): ${fmtInt((perCallMs * ids) / 1000)} s for ${fmtInt(ids)} ids, extrapolated`,
    );

    const rttAfter = await measureRtt(rttMs);
    const summary = {};
    for (const m of methods) {
      const list = runs[m.key];
      if (list.length === 0) continue;
      summary[m.key] = {
        label: m.label,
        wallMs: stats(list.map((r) => r.wallMs)),
        ...(list[0].cpuMs === undefined ? {} : { cpuMs: stats(list.map((r) => r.cpuMs)) }),
        connections: stats(list.map((r) => r.connections)),
        verified: list.every((r) => r.verified),
        runs: list,
      };
    }
    const med = (key) => summary[key]?.wallMs.median;
    const over = (a, b) => (med(a) && med(b) ? med(a) / med(b) : null);
    return {
      ids,
      rttMs,
      rounds: runs[methods[0].key].length,
      firstCallMs: check.ms,
      measuredRttMs: { before: rttBefore, after: rttAfter },
      methods: summary,
      naive: {
        label: "naive loop: one `DELETE /data/users/{id}` per user, sequential, global fetch",
        sampleCalls: naive.calls,
        sampleWallMs: naive.wallMs,
        perCallMs,
        extrapolatedMs: perCallMs * ids,
        verified: naiveServer.idsAccepted === naive.calls && naiveServer.errors === 0,
      },
      ratios: {
        "curl/sdk": over("curl", "sdk"),
        "curl/sdkGlobal": over("curl", "sdkGlobal"),
        "raw/sdk": over("raw", "sdk"),
        "raw/sdkGlobal": over("raw", "sdkGlobal"),
        "curlParallel/sdk": over("curlParallel", "sdk"),
        "curl/cli": over("curl", "cli"),
      },
    };
  } finally {
    await proxy.close();
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
