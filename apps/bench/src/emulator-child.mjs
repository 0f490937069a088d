// The emulator, served over HTTP on 127.0.0.1 in its own process so that its CPU time is not
// the client's. Driven by its parent over IPC: seed, begin (mark CPU and stats), end (wait
// for every deletion to be processed, report CPU used and ids handled), close. Exits when the
// parent goes away.
//
// With a certificate and key (argv[4], JSON {"tls": {"cert": PATH, "key": PATH}}) it also
// terminates TLS on another port, in this same process (the server's side of the handshake is
// the server's CPU), and hands each connection's plaintext to the HTTP port.
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import { createEmulator } from "@batch-custom-data/emulator";
import { serve } from "@batch-custom-data/emulator/node";

const [apiKey, restApiKey, optionsJson = "{}"] = process.argv.slice(2);
const options = JSON.parse(optionsJson);
const emulator = createEmulator({
  apps: [apiKey],
  restApiKey,
  processingDelayMs: 0,
  logLimit: 0,
  faults: {},
});
const server = await serve(emulator, { hostname: "127.0.0.1", port: 0 });
const tls = options.tls ? await serveTls(options.tls, server.port) : undefined;

/** TLS on 127.0.0.1, each connection piped to the emulator's HTTP port. */
async function serveTls({ cert, key }, httpPort) {
  const sockets = new Set();
  const tlsServer = createTlsServer(
    { cert: readFileSync(cert), key: readFileSync(key) },
    (secure) => {
      const plain = connect({ host: "127.0.0.1", port: httpPort });
      plain.setNoDelay(true);
      secure.setNoDelay(true);
      for (const [a, b] of [
        [secure, plain],
        [plain, secure],
      ]) {
        sockets.add(a);
        a.pipe(b);
        a.on("error", () => b.destroy());
        // An end is passed on by pipe() once the data is flushed; only an abort is passed on
        // at once (destroying on every close could cut off an answer still being written).
        a.on("close", () => {
          sockets.delete(a);
          if (!a.readableEnded) b.destroy();
        });
      }
    },
  );
  // A client that gives up mid-handshake is not an error worth a crash.
  tlsServer.on("tlsClientError", () => {});
  await new Promise((resolve) => tlsServer.listen(0, "127.0.0.1", resolve));
  return {
    port: tlsServer.address().port,
    close() {
      tlsServer.close();
      for (const socket of sockets) socket.destroy();
    },
  };
}

let mark = { cpu: process.cpuUsage(), at: performance.now(), stats: emulator.stats() };

const handlers = {
  seed: ({ count }) => {
    const before = emulator.count(apiKey);
    const added = emulator.seed(apiKey, count);
    return { added, users: before + added };
  },
  begin: () => {
    mark = { cpu: process.cpuUsage(), at: performance.now(), stats: emulator.stats() };
    return {};
  },
  end: async () => {
    await emulator.settled();
    const cpu = process.cpuUsage(mark.cpu);
    const stats = emulator.stats();
    return {
      cpuMs: (cpu.user + cpu.system) / 1000,
      wallMs: performance.now() - mark.at,
      requests: stats.requests - mark.stats.requests,
      accepted: stats.accepted - mark.stats.accepted,
      idsAccepted: stats.idsAccepted - mark.stats.idsAccepted,
      errors: stats.errors - mark.stats.errors,
      usersLeft: emulator.count(apiKey),
      rssKb: Math.round(process.memoryUsage.rss() / 1024),
    };
  },
};

async function shutdown() {
  const timer = setTimeout(() => process.exit(0), 3000);
  timer.unref();
  tls?.close();
  await server.close();
  emulator.close();
  process.exit(0);
}

process.on("message", async ({ id, cmd, ...args }) => {
  if (cmd === "close") return shutdown();
  try {
    process.send({ id, ok: true, value: await handlers[cmd](args) });
  } catch (error) {
    process.send({ id, ok: false, error: String(error?.stack ?? error) });
  }
});
process.on("disconnect", shutdown);
process.send({ ready: true, baseUrl: server.baseUrl, url: server.url, tlsPort: tls?.port });
