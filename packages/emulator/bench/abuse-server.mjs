// The served emulator under test by bench/abuse.mjs, in its own process so that its memory
// and event loop are measured apart from the attacking client's. Reports its port on IPC,
// answers "stats" with its peak RSS (VmHWM) and the longest event-loop stall seen, and exits
// on "close" or when the parent goes away.
import { readFileSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { serve } from "../dist/node.js";

const serveOptions = JSON.parse(process.argv[2] ?? "{}");
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();

const served = await serve(
  { apps: ["API_KEY"], restApiKey: "REST_API_KEY", processingDelayMs: 0, logLimit: 0 },
  { port: 0, hostname: "127.0.0.1", ...serveOptions },
);

function kib(field) {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(
    readFileSync("/proc/self/status", "utf8"),
  );
  return match ? Number(match[1]) : null;
}

process.on("message", async (message) => {
  if (message === "stats") {
    process.send({
      rssMiB: Math.round(kib("VmRSS") / 1024),
      peakRssMiB: Math.round(kib("VmHWM") / 1024),
      loopDelayMaxMs: Math.round(loop.max / 1e6),
    });
  } else if (message === "close") {
    const timer = setTimeout(() => process.exit(0), 3000);
    await served.close();
    clearTimeout(timer);
    process.exit(0);
  }
});
process.on("disconnect", () => process.exit(0));
process.send({ port: served.port });
