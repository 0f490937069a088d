import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { serve } from "@batch-custom-data/emulator/node";
import { afterEach, describe, expect, it } from "vitest";
import { BatchNetworkError, createClient, createClientFromEnv, createNodeFetch } from "./index.js";

const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** A local server that counts connections and answers with `handler`. */
async function server(handler: (req: IncomingMessage, res: ServerResponse, nth: number) => void) {
  let connections = 0;
  const perSocket = new WeakMap<Socket, number>();
  const s = createServer((req, res) => {
    const nth = (perSocket.get(req.socket) ?? 0) + 1;
    perSocket.set(req.socket, nth);
    req.resume();
    req.on("end", () => handler(req, res, nth));
  });
  s.on("connection", () => connections++);
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  closers.push(() => {
    s.closeAllConnections();
    return new Promise((resolve) => s.close(resolve));
  });
  return {
    url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`,
    connections: () => connections,
  };
}

const token = (res: ServerResponse) => {
  res.writeHead(200, { "content-type": "application/json" });
  res.end('{"token":"t"}');
};

const init = (body?: string) => ({
  method: "DELETE",
  headers: { "Content-Type": "application/json", "X-Authorization": "R" },
  body,
  signal: new AbortController().signal,
});

describe("createNodeFetch", () => {
  it("keeps the connection alive across DELETE calls with a body (the global fetch does not)", async () => {
    const { url, connections } = await server((_req, res) => token(res));
    const fetch = createNodeFetch();
    closers.push(fetch.close);
    for (let i = 0; i < 20; i++) {
      const response = await fetch(`${url}/1.0/K/data/users`, init('["a","b"]'));
      expect(await response.json()).toEqual({ token: "t" });
    }
    expect(connections()).toBe(1);
    const before = connections();
    for (let i = 0; i < 5; i++) {
      const response = await globalThis.fetch(`${url}/1.0/K/data/users`, init('["a"]'));
      await response.text();
    }
    // Documents why this transport exists: undici resets the socket after each such call.
    expect(connections() - before).toBe(5);
  });

  it("sends the body with its Content-Length, and passes status, headers and body back", async () => {
    let seen: { length?: string; body: string } | undefined;
    const s = createServer((req, res) => {
      let body = "";
      req.on("data", (d) => {
        body += d;
      });
      req.on("end", () => {
        seen = { length: req.headers["content-length"], body };
        res.writeHead(429, { "retry-after": "7", "x-multi": ["a", "b"] });
        res.end('{"error_code":60}');
      });
    });
    await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
    closers.push(() => new Promise((resolve) => s.close(resolve)));
    closers.push(() => s.closeAllConnections());
    const fetch = createNodeFetch();
    closers.push(fetch.close);
    const body = '["é"]';
    const response = await fetch(
      `http://127.0.0.1:${(s.address() as AddressInfo).port}/x`,
      init(body),
    );
    expect(seen).toEqual({ length: String(Buffer.byteLength(body)), body });
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("7");
    expect(response.headers.get("x-multi")).toBe("a, b");
    expect(await response.text()).toBe('{"error_code":60}');
  });

  it("retries once, at once, when the server closed a kept-alive connection", async () => {
    // The second request on any connection finds it closed, as after a server's idle timeout.
    const { url, connections } = await server((req, res, nth) => {
      if (nth > 1) req.socket.destroy();
      else token(res);
    });
    const fetch = createNodeFetch();
    closers.push(fetch.close);
    for (let i = 0; i < 3; i++) {
      expect((await fetch(`${url}/`, init("[]"))).status).toBe(200);
    }
    expect(connections()).toBe(3);
  });

  it("fails like fetch on a refused connection, and on an abort", async () => {
    const { url } = await server(() => {}); // never answers
    const fetch = createNodeFetch();
    closers.push(fetch.close);
    const controller = new AbortController();
    const pending = fetch(`${url}/`, { ...init("[]"), signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toThrow(/abort/i);
    await expect(fetch("http://127.0.0.1:1/", init())).rejects.toMatchObject({
      code: "ECONNREFUSED",
    });
    const client = createClient({
      apiKey: "APP_KEY",
      restApiKey: "REST_KEY",
      baseUrl: "http://127.0.0.1:1/1.0",
      fetch,
      retry: false,
    });
    const error = await client.deleteUser("a").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BatchNetworkError);
    expect((error as BatchNetworkError).code).toBe("ECONNREFUSED");
  });

  it("is createClientFromEnv's transport: a bulk run on one connection per worker", async () => {
    const served = await serve({ apps: ["APP_KEY"], restApiKey: "REST_KEY" }, { port: 0 });
    closers.push(served.close);
    served.emulator.seed("APP_KEY", 5000);
    const client = createClientFromEnv(
      { BATCH_API_KEY: "APP_KEY", BATCH_REST_API_KEY: "REST_KEY", BATCH_BASE_URL: served.baseUrl },
      { chunkSize: 100, concurrency: 2 },
    );
    const ids = Array.from({ length: 5000 }, (_, i) => `user-${i + 1}`);
    const report = await client.deleteUsers(ids);
    expect(report).toMatchObject({ confirmed: 5000, calls: 50 });
    await served.emulator.settled();
    expect(served.emulator.count("APP_KEY")).toBe(0);
  });
});
