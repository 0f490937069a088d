// The emulator, served from its installed tarball on 127.0.0.1 for every other consumer.
// Prints one JSON line with its URLs; stops when told (SIGTERM), when its parent goes away
// (stdin closes), or after ten minutes whatever happens.
import { serve } from "@batch-custom-data/emulator/node";

const { apiKey, restApiKey } = JSON.parse(process.argv[2]);
const served = await serve(
  { apps: [apiKey], restApiKey, cors: true, processingDelayMs: 0 },
  { hostname: "127.0.0.1", port: 0 },
);
console.log(JSON.stringify({ url: served.url, baseUrl: served.baseUrl }));

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await served.close();
  process.exit(0);
}
process.stdin.on("end", stop).resume();
process.on("SIGTERM", stop);
setTimeout(stop, 10 * 60_000);
