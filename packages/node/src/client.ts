import * as core from "@batch-custom-data/core";
import * as env from "@batch-custom-data/core/env";
import { createNodeFetch, type NodeFetch } from "./fetch.js";

type Options = Partial<core.ClientOptions>;

/** One keep-alive transport for every client that does not bring its own, made on first use. */
let shared: NodeFetch | undefined;
function keepAlive(options: Options) {
  if (options.fetch) return options.fetch;
  shared ??= createNodeFetch();
  return shared;
}

/**
 * The core's `createClient` on Node's keep-alive transport: Node's own `fetch` opens a new
 * connection (TCP and TLS) for every DELETE with a body, so every bulk call. A `fetch` you
 * pass is used as is.
 */
export function createClient(options: core.ClientOptions): core.BatchClient {
  return core.createClient({ ...options, fetch: keepAlive(Object(options)) });
}

/**
 * A client from `process.env` (or the record given): the core's `createClientFromEnv`, on the
 * keep-alive transport unless `overrides.fetch` says otherwise.
 */
export function createClientFromEnv(
  environment: env.EnvRecord = process.env,
  overrides: Options = {},
): core.BatchClient {
  return env.createClientFromEnv(environment, { ...overrides, fetch: keepAlive(overrides) });
}
