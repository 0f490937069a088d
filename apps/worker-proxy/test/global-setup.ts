// Reads wrangler.jsonc once, the way `wrangler dev` does (wrangler's own mapping to Miniflare
// options), so the tests run with the bindings, queues and Durable Objects it declares.
import { fileURLToPath } from "node:url";
import { miniflareWorkerOptions } from "@batch-custom-data/test-helpers/node";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    workerOptions: Record<string, unknown>;
  }
}

export default async function setup(project: TestProject) {
  project.provide(
    "workerOptions",
    await miniflareWorkerOptions(fileURLToPath(new URL("../wrangler.jsonc", import.meta.url))),
  );
}
