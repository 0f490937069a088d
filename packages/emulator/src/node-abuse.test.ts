/**
 * The served emulator under abuse (issue 16, item 15): answers on the headers before a body
 * is read, bounded time for a request to arrive, a connection cap, and a bulk body refused as
 * soon as its structure is wrong. Asserted structurally (what arrives before what, what gets
 * closed), never with absolute memory or time figures: those are in bench/abuse.mjs.
 */
import { Agent, request as httpRequest } from "node:http";
import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type ServedEmulator, type ServeOptions, serve } from "./node.js";

const servers: ServedEmulator[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function own(options: ServeOptions = {}, maxBodyBytes = 256 * 1024) {
  const served = await serve(
    { seed: 1, processingDelayMs: 5, maxBodyBytes },
    { port: 0, hostname: "127.0.0.1", ...options },
  );
  servers.push(served);
  return served;
}

const head = (path: string, headers: Record<string, string | number>) =>
  `DELETE ${path} HTTP/1.1\r\nHost: x\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join("")}\r\n`;

/** A raw connection: what it wrote, what it read, when the server closed it. */
interface Raw {
  socket: Socket;
  text: () => string;
  closed: Promise<void>;
  isClosed: () => boolean;
  /** Resolves with the text read once `pattern` matches it (rejects after `timeoutMs`). */
  waitFor: (pattern: RegExp, timeoutMs?: number) => Promise<string>;
}

async function open(served: ServedEmulator): Promise<Raw> {
  const socket = connect(served.port, "127.0.0.1");
  sockets.push(socket);
  let text = "";
  let closed = false;
  const waiters = new Set<() => void>();
  socket.on("data", (chunk) => {
    text += chunk.toString("utf8");
    for (const check of waiters) check();
  });
  socket.on("error", () => undefined);
  const closedPromise = new Promise<void>((resolve) =>
    socket.on("close", () => {
      closed = true;
      for (const check of waiters) check();
      resolve();
    }),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("error", reject);
  });
  return {
    socket,
    text: () => text,
    closed: closedPromise,
    isClosed: () => closed,
    waitFor: (pattern, timeoutMs = 3000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`nothing matching ${pattern} within ${timeoutMs} ms: ${text}`));
        }, timeoutMs);
        const check = () => {
          if (pattern.test(text)) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve(text);
          } else if (closed) {
            clearTimeout(timer);
            waiters.delete(check);
            reject(new Error(`closed before ${pattern}: ${JSON.stringify(text)}`));
          }
        };
        waiters.add(check);
        check();
      }),
  };
}

const within = <T>(promise: Promise<T>, ms: number, what: string) =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms),
    ),
  ]);

function legit(served: ServedEmulator, agent?: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${served.baseUrl}/API_KEY/data/users/user1`,
      {
        method: "DELETE",
        headers: { "x-authorization": "REST_API_KEY" },
        ...(agent ? { agent } : {}),
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.setTimeout(3000, () => req.destroy(new Error("no answer within 3 s")));
    req.on("error", reject);
    req.end();
  });
}

describe("authentication on the headers, before the body", () => {
  it.each([
    ["a wrong REST key", "/1.0/API_KEY/data/users", { "X-Authorization": "WRONG" }],
    ["no REST key", "/1.0/API_KEY/data/users", {}],
    ["an unknown API key", "/1.0/NOT_AN_APP/data/users", { "X-Authorization": "REST_API_KEY" }],
  ])("answers 401 to %s before the body is sent", async (_label, path, headers) => {
    const served = await own();
    const raw = await open(served);
    // A body within the cap is announced, and never sent.
    raw.socket.write(head(path, { ...headers, "Content-Length": 200 * 1024 }));
    const text = await raw.waitFor(/\r\n\r\n\{.*\}/s);
    expect(text).toMatch(/^HTTP\/1.1 401/);
    expect(text).toMatch(/"error_code":10/);
  });

  it("answers 401 on an admin route before its body is sent", async () => {
    const served = await own();
    const raw = await open(served);
    raw.socket.write(
      head("/_emulator/faults", { "Content-Length": 200 * 1024 }).replace(/^DELETE/, "PUT"),
    );
    expect(await raw.waitFor(/\r\n\r\n\{.*\}/s)).toMatch(/^HTTP\/1.1 401/);
  });

  it("sends no 100 Continue to a request that fails authentication", async () => {
    const served = await own();
    const raw = await open(served);
    raw.socket.write(
      head("/1.0/API_KEY/data/users", {
        "X-Authorization": "WRONG",
        Expect: "100-continue",
        "Content-Length": 1000,
      }),
    );
    const text = await raw.waitFor(/\r\n\r\n\{.*\}/s);
    expect(text).toMatch(/^HTTP\/1.1 401/);
    expect(text).not.toMatch(/100 Continue/);
  });

  it("sends 100 Continue once an authenticated bulk call reads its body", async () => {
    const served = await own();
    const raw = await open(served);
    const body = '["user1"]';
    raw.socket.write(
      head("/1.0/API_KEY/data/users", {
        "X-Authorization": "REST_API_KEY",
        Expect: "100-continue",
        "Content-Length": body.length,
      }),
    );
    await raw.waitFor(/^HTTP\/1.1 100 Continue\r\n\r\n/);
    raw.socket.write(body);
    expect(await raw.waitFor(/200 OK[\s\S]*\{"token"/)).toMatch(/^HTTP\/1.1 100 Continue/);
  });

  it("keeps the connection usable when the unread body was small and complete", async () => {
    const served = await own();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const seen = new Set<Socket>();
    agent.on("free", (socket: Socket) => seen.add(socket));
    try {
      const call = (key: string) =>
        new Promise<number>((resolve, reject) => {
          const req = httpRequest(
            `${served.baseUrl}/API_KEY/data/users`,
            {
              method: "DELETE",
              agent,
              headers: { "x-authorization": key, "content-length": "9" },
            },
            (res) => {
              res.resume();
              res.on("end", () => resolve(res.statusCode ?? 0));
            },
          );
          req.on("error", reject);
          req.end('["user1"]');
        });
      expect(await call("WRONG")).toBe(401);
      expect(await call("REST_API_KEY")).toBe(200);
      expect(seen.size).toBe(1);
    } finally {
      agent.destroy();
    }
  });

  it("after an early 401, reads a body of up to 1 MiB sent anyway, and serves the next request", async () => {
    const served = await own();
    const raw = await open(served);
    const body = `[${'"x",'.repeat(50_000)}"x"]`;
    raw.socket.write(
      head("/1.0/API_KEY/data/users", {
        "X-Authorization": "WRONG",
        "Content-Length": body.length,
      }),
    );
    await raw.waitFor(/401[\s\S]*\r\n\r\n\{.*\}/);
    raw.socket.write(body);
    raw.socket.write(head("/1.0/API_KEY/data/users/user1", { "X-Authorization": "REST_API_KEY" }));
    expect(await raw.waitFor(/200 OK[\s\S]*"token"/)).not.toMatch(/connection: close/i);
  });

  it("after an early 401, closes the connection when more than 1 MiB is announced", async () => {
    const served = await own({}, 8 * 1024 * 1024);
    const raw = await open(served);
    raw.socket.write(
      head("/1.0/API_KEY/data/users", {
        "X-Authorization": "WRONG",
        "Content-Length": 2 * 1024 * 1024,
      }),
    );
    const text = await raw.waitFor(/\r\n\r\n\{.*\}/s);
    expect(text).toMatch(/^HTTP\/1.1 401/);
    expect(text).toMatch(/connection: close/i);
    await within(raw.closed, 2000, "the connection closed");
  });

  it("lets a client that sends its whole body anyway read the 401", async () => {
    const served = await own();
    const body = JSON.stringify(Array.from({ length: 10_000 }, (_, i) => `user-${i}`));
    const r = await fetch(`${served.baseUrl}/API_KEY/data/users`, {
      method: "DELETE",
      headers: { "x-authorization": "WRONG", "content-type": "application/json" },
      body,
    });
    expect(r.status).toBe(401);
    expect((await fetch(`${served.url}/_emulator/health`)).status).toBe(200);
  });
});

describe("time limits", () => {
  it("closes a half-sent request after the request timeout, with a 408", async () => {
    const served = await own({ requestTimeoutMs: 300 });
    const raw = await open(served);
    raw.socket.write(
      `${head("/1.0/API_KEY/data/users", { "X-Authorization": "REST_API_KEY", "Content-Length": 1000 })}["user1",`,
    );
    await within(raw.closed, 3000, "the half-sent request closed");
    expect(raw.text()).toMatch(/^HTTP\/1.1 408/);
  });

  it("closes a connection whose headers never end after the headers timeout", async () => {
    const served = await own({ headersTimeoutMs: 300 });
    const raw = await open(served);
    raw.socket.write("DELETE /1.0/API_KEY/data/users HTTP/1.1\r\nHost: x\r\n");
    await within(raw.closed, 3000, "the connection closed");
    expect(raw.text()).toMatch(/^HTTP\/1.1 408/);
  });

  it("closes a connection that sends nothing after the headers timeout", async () => {
    const served = await own({ headersTimeoutMs: 300 });
    const raw = await open(served);
    await within(raw.closed, 3000, "the silent connection closed");
  });

  it("does not cut a hanging request whose body has arrived", async () => {
    const served = await own({ requestTimeoutMs: 200 });
    served.emulator.failNext("hang");
    const raw = await open(served);
    raw.socket.write(
      `${head("/1.0/API_KEY/data/users", { "X-Authorization": "REST_API_KEY", "Content-Length": 9 })}["user1"]`,
    );
    await new Promise((r) => setTimeout(r, 800));
    expect(raw.isClosed()).toBe(false);
    expect(raw.text()).toBe("");
  });
});

describe("connection cap", () => {
  it("refuses connections over the cap; legitimate traffic works after the abusers leave", async () => {
    const served = await own({ maxConnections: 4 });
    // A legitimate keep-alive client, connected first.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      expect(await legit(served, agent)).toBe(200);
      const abusers: Raw[] = [];
      for (let i = 0; i < 3; i++) {
        const raw = await open(served);
        raw.socket.write(
          `${head("/1.0/API_KEY/data/users", { "X-Authorization": "REST_API_KEY", "Content-Length": 1000 })}[`,
        );
        abusers.push(raw);
      }
      await new Promise((r) => setTimeout(r, 50));
      // The fifth connection is closed at once, without an answer.
      const over = await open(served);
      over.socket.write(
        head("/1.0/API_KEY/data/users/user1", { "X-Authorization": "REST_API_KEY" }),
      );
      await within(over.closed, 2000, "the connection over the cap closed");
      expect(over.text()).toBe("");
      expect(served.connections()).toMatchObject({ open: 4, refused: 1 });
      // The connection the legitimate client already had still works.
      expect(await legit(served, agent)).toBe(200);
      for (const raw of abusers) raw.socket.destroy();
      await Promise.all(abusers.map((raw) => raw.closed));
      await new Promise((r) => setTimeout(r, 50));
      expect(await legit(served)).toBe(200);
    } finally {
      agent.destroy();
    }
  });
});

describe("the bulk body is parsed as it streams in", () => {
  /** Writes `chunk` until the server answers or closes, or `limit` bytes are written. */
  async function trickle(raw: Raw, chunk: string, limit: number) {
    let written = 0;
    while (written < limit && !/\r\n\r\n\{/.test(raw.text()) && !raw.isClosed()) {
      raw.socket.write(chunk);
      written += chunk.length;
      await new Promise((r) => setTimeout(r, 2));
    }
    return written;
  }

  it.each([
    ["a deep [[[[ body", "[", "[".repeat(4096)],
    ["too many ids", '["u"', ',"u"'.repeat(1024)],
    ["a too long id", '["', "x".repeat(4096)],
    ["a non-string id", "[", "1,".repeat(2048)],
  ])("refuses %s after reading a bounded prefix", async (_label, first, chunk) => {
    const served = await own({}, 8 * 1024 * 1024);
    const raw = await open(served);
    const length = 4 * 1024 * 1024;
    raw.socket.write(
      `${head("/1.0/API_KEY/data/users", { "X-Authorization": "REST_API_KEY", "Content-Length": length })}${first}`,
    );
    const written = await trickle(raw, chunk, length);
    const text = await raw.waitFor(/\r\n\r\n\{.*\}/s);
    expect(text).toMatch(/^HTTP\/1.1 400/);
    expect(text).toMatch(/"error_code":31/);
    // Refused long before the announced 4 MiB: 10,001 ids of 4 bytes are about 40 KB.
    expect(written).toBeLessThan(1024 * 1024);
  });
});
