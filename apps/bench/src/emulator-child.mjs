// The emulator, served over HTTP on 127.0.0.1 in its own process so that its CPU time is not
// the client's. Driven by its parent over IPC: seed, begin (mark CPU and stats), end (wait
// for every deletion to be processed, report CPU used and ids handled), close. Exits when the
// parent goes away.
import { createEmulator } from "@batch-custom-data/emulator";
import { serve } from "@batch-custom-data/emulator/node";

const [apiKey, restApiKey] = process.argv.slice(2);
const emulator = createEmulator({
  apps: [apiKey],
  restApiKey,
  processingDelayMs: 0,
  logLimit: 0,
  faults: {},
});
const server = await serve(emulator, { hostname: "127.0.0.1", port: 0 });

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
process.send({ ready: true, baseUrl: server.baseUrl, url: server.url });
