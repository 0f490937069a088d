// Reads wrangler.jsonc once, the way `wrangler dev` does (wrangler's own mapping to Miniflare
// options), so the tests run with the bindings, queues and Durable Objects it declares.
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    workerOptions: Record<string, unknown>;
  }
}

export default async function setup(project: TestProject) {
  process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";
  process.env.WRANGLER_SEND_METRICS = "false";
  const { unstable_getMiniflareWorkerOptions } = await import("wrangler");
  const { workerOptions } = unstable_getMiniflareWorkerOptions(
    fileURLToPath(new URL("../wrangler.jsonc", import.meta.url)),
  );
  const {
    compatibilityDate,
    compatibilityFlags,
    bindings,
    queueProducers,
    queueConsumers,
    durableObjects,
  } = workerOptions as Record<string, unknown>;
  project.provide(
    "workerOptions",
    JSON.parse(
      JSON.stringify({
        compatibilityDate,
        compatibilityFlags,
        bindings,
        queueProducers,
        queueConsumers,
        durableObjects,
      }),
    ),
  );
}
