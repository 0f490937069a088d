// The naive loop: one `DELETE /data/users/{id}` per user, one after the other, on Node's global
// fetch (a DELETE without a body keeps its connection alive). A million of them would take
// hours, so it runs a sample (at most "sample" calls and "seconds" seconds) and the parent
// extrapolates from the mean time per call. Prints one JSON line.
import { clock, makeIds } from "./util.mjs";

const { baseUrl, apiKey, restApiKey, sample = 100, seconds = 10 } = JSON.parse(process.argv[2]);
const headers = { "Content-Type": "application/json", "X-Authorization": restApiKey };
const ids = makeIds(Math.min(sample, 10_000));

const timer = clock();
const deadline = timer.t0 + seconds * 1000;
let calls = 0;
for (const id of ids) {
  if (performance.now() > deadline) break;
  const response = await fetch(`${baseUrl}/${apiKey}/data/users/${encodeURIComponent(id)}`, {
    method: "DELETE",
    headers,
  });
  const { token } = await response.json();
  if (!response.ok || typeof token !== "string") throw new Error(`HTTP ${response.status}`);
  calls++;
}
const timed = timer.stop();
console.log(
  JSON.stringify({
    ...timed,
    ids: calls,
    calls,
  }),
);
