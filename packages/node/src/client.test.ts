import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { BatchValidationError, createClient, createClientFromEnv } from "./index.js";

const closers: (() => unknown)[] = [];
afterEach(async () => {
  vi.unstubAllEnvs();
  for (const close of closers.splice(0)) await close();
});

/** A local API stand-in that answers every call with a token and counts connections. */
async function api() {
  let connections = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"token":"t"}');
    });
  });
  server.on("connection", () => connections++);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });
  const { port } = server.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}/1.0`, connections: () => connections };
}

const ids = Array.from({ length: 100 }, (_, i) => `u${i}`);

describe("the Node adapter's clients", () => {
  it("createClient keeps connections alive by default: 10 bulk calls, 1 connection", async () => {
    const { baseUrl, connections } = await api();
    const client = createClient({ apiKey: "APP", restApiKey: "REST", baseUrl, concurrency: 1 });
    const report = await client.deleteUsers(ids, { chunkSize: 10 });
    expect(report).toMatchObject({ confirmed: 100, calls: 10 });
    expect(connections()).toBe(1);
  });

  it("createClientFromEnv reads process.env by default, on the keep-alive transport", async () => {
    const { baseUrl, connections } = await api();
    vi.stubEnv("BATCH_API_KEY", "ios=APP1,android=APP2");
    vi.stubEnv("BATCH_REST_API_KEY", "REST");
    vi.stubEnv("BATCH_BASE_URL", baseUrl);
    vi.stubEnv("BATCH_CONCURRENCY", "1");
    const report = await createClientFromEnv().deleteUsers(ids, { chunkSize: 20 });
    expect(report).toMatchObject({ confirmed: 100, calls: 10 });
    expect(new Set(report.tokens.map((t) => t.app))).toEqual(new Set(["ios", "android"]));
    // One connection per app call in flight at most: 2 apps × concurrency 1.
    expect(connections()).toBeLessThanOrEqual(2);
  });

  it("uses the fetch the caller gives, for both", async () => {
    const calls: string[] = [];
    const fetch = async (url: string) => {
      calls.push(url);
      return new Response('{"token":"mine"}');
    };
    const baseUrl = "http://127.0.0.1:9/1.0";
    const made = createClient({ apiKey: "A", restApiKey: "R", baseUrl, fetch });
    expect((await made.deleteUser("x")).token).toBe("mine");
    const fromEnv = createClientFromEnv(
      { BATCH_API_KEY: "A", BATCH_REST_API_KEY: "R", BATCH_BASE_URL: baseUrl },
      { fetch },
    );
    expect((await fromEnv.deleteUser("y")).token).toBe("mine");
    expect(calls).toEqual([`${baseUrl}/A/data/users/x`, `${baseUrl}/A/data/users/y`]);
  });

  it("names the variable to set, from the core's rules", () => {
    vi.stubEnv("BATCH_API_KEY", "");
    expect(() => createClientFromEnv()).toThrow(BatchValidationError);
    expect(() => createClientFromEnv()).toThrow(/^BATCH_API_KEY is not set/);
  });
});
