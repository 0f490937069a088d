// The two transports every Node client is measured on, so that the SDK and the raw loop always
// send through the same one:
//   "global":    Node's global fetch (undici). It closes the connection after every DELETE that
//                has a body, so each bulk call opens a new one (see packages/node/src/fetch.ts).
//   "keepalive": createNodeFetch() from @batch-custom-data/node (node:http(s), keep-alive
//                agents): what createClientFromEnv and the CLI use.
export async function makeTransport(name = "global") {
  if (name === "global") return { fetch: undefined, send: globalThis.fetch, close() {} };
  if (name === "keepalive") {
    const { createNodeFetch } = await import("@batch-custom-data/node");
    const fetch = createNodeFetch();
    return { fetch, send: fetch, close: () => fetch.close() };
  }
  throw new Error(`unknown transport "${name}" (global or keepalive)`);
}
