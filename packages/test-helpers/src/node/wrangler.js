// A Worker's bindings as `wrangler dev` hands them to Miniflare: wrangler's own mapping of a
// wrangler.jsonc, so tests run with the bindings, Queues and Durable Objects it declares.

/** The options of wrangler's mapping that a test's Miniflare takes over. */
const KEPT = [
  "compatibilityDate",
  "compatibilityFlags",
  "bindings",
  "queueProducers",
  "queueConsumers",
  "durableObjects",
];

/**
 * Plain JSON (it crosses into vitest's workers through `provide`).
 * @param {string} wranglerConfig the path of a wrangler.jsonc
 * @returns {Promise<Record<string, any>>}
 */
export async function miniflareWorkerOptions(wranglerConfig) {
  // No call to Cloudflare and no telemetry from a test.
  process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";
  process.env.WRANGLER_SEND_METRICS = "false";
  const { unstable_getMiniflareWorkerOptions } = await import("wrangler");
  const { workerOptions } = unstable_getMiniflareWorkerOptions(wranglerConfig);
  /** @type {Record<string, unknown>} */
  const all = workerOptions;
  return JSON.parse(JSON.stringify(Object.fromEntries(KEPT.map((key) => [key, all[key]]))));
}
