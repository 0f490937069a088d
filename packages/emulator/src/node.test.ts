import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { Agent, request as httpRequest } from "node:http";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AUTH } from "../test/helpers.js";
import { createEmulator, type Emulator } from "./emulator.js";
import { type ServedEmulator, serve } from "./node.js";

let emulator: Emulator;
let server: ServedEmulator;
const extraServers: ServedEmulator[] = [];

beforeAll(async () => {
  emulator = createEmulator({ seed: 1, processingDelayMs: 5, maxBodyBytes: 256 * 1024 });
  server = await serve(emulator, { port: 0, hostname: "127.0.0.1" });
});

afterAll(async () => {
  await Promise.all(extraServers.map((s) => s.close()));
  await server.close();
  emulator.close();
});

beforeEach(() => emulator.reset());

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request with node:http, body sent as given. */
function send(
  method: string,
  path: string,
  body?: string | Uint8Array,
  headers: Record<string, string> = AUTH,
  agent?: Agent,
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const length = body === undefined ? {} : { "content-length": String(Buffer.byteLength(body)) };
    const req = httpRequest(
      `${server.url}${path}`,
      { method, headers: { ...headers, ...length }, ...(agent ? { agent } : {}) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** Writes raw bytes on a fresh socket; resolves with everything read until the server closes. */
function raw(text: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.port, "127.0.0.1");
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error("the server kept the connection open"));
    }, timeoutMs);
    socket.on("data", (c) => chunks.push(c));
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString("utf8"));
    });
    socket.on("error", () => undefined);
    socket.write(text);
  });
}

const json = (a: RawAnswer) => JSON.parse(a.body) as Record<string, unknown>;

describe("serve", () => {
  it("listens on an ephemeral port on 127.0.0.1 and reports it", () => {
    expect(server.port).toBeGreaterThan(0);
    expect(server.hostname).toBe("127.0.0.1");
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.baseUrl).toBe(`http://127.0.0.1:${server.port}/1.0`);
    expect(server.emulator).toBe(emulator);
  });

  it("serves single and bulk deletes, processed asynchronously", async () => {
    emulator.seed("API_KEY", ["user1", "user2", "user3"]);
    const single = await send("DELETE", "/1.0/API_KEY/data/users/user1");
    expect(single.status).toBe(200);
    expect(single.headers["content-type"]).toMatch(/^application\/json/);
    const bulk = await send("DELETE", "/1.0/API_KEY/data/users", '["user2","user2","user3"]');
    expect(bulk.status).toBe(200);
    const token = json(bulk).token as string;
    expect(emulator.transaction(token)).toMatchObject({ ids: 3 });
    await emulator.settled();
    expect(emulator.count("API_KEY")).toBe(0);
    expect(emulator.transaction(token)).toMatchObject({ status: "done", deleted: 2 });
  });

  it("works with the global fetch, ids encoded as one segment", async () => {
    const id = "a/b?c#d%e ü 😀";
    emulator.seed("API_KEY", [id]);
    const r = await fetch(`${server.baseUrl}/API_KEY/data/users/${encodeURIComponent(id)}`, {
      method: "DELETE",
      headers: AUTH,
    });
    expect(r.status).toBe(200);
    emulator.flush();
    expect(emulator.hasData("API_KEY", id)).toBe(false);
  });

  it("routes on the path as received: %2E%2E is the id '..'", async () => {
    emulator.seed("API_KEY", ["..", "x"]);
    const answer = await raw(
      "DELETE /1.0/API_KEY/data/users/%2E%2E HTTP/1.1\r\nHost: x\r\nX-Authorization: REST_API_KEY\r\nConnection: close\r\n\r\n",
    );
    expect(answer).toMatch(/^HTTP\/1.1 200/);
    emulator.flush();
    expect(emulator.users("API_KEY")).toEqual(["x"]);
  });

  it("accepts 10,000 ids in one call and refuses 10,001", async () => {
    emulator.seed("API_KEY", 10_001);
    const ids = emulator.users("API_KEY");
    expect(
      (await send("DELETE", "/1.0/API_KEY/data/users", JSON.stringify(ids.slice(0, 10_000))))
        .status,
    ).toBe(200);
    const tooMany = await send("DELETE", "/1.0/API_KEY/data/users", JSON.stringify(ids));
    expect(tooMany.status).toBe(400);
    expect(json(tooMany).error_code).toBe(31);
  });

  it.each([
    ["a missing body", undefined, 30],
    ["not JSON", "user1,user2", 32],
    ["invalid UTF-8", new Uint8Array([0x5b, 0x22, 0xff, 0x22, 0x5d]), 32],
    ["100,000 nested [", "[".repeat(100_000), 31],
    ["100,000 nested [ ] closed", `${"[".repeat(100_000)}${"]".repeat(100_000)}`, 31],
    ["non-string ids", '["a", 1, null]', 31],
    ["an empty id", '["a", ""]', 31],
    ["an empty array", "[]", 31],
    ["an object", '{"ids":["a"]}', 31],
  ])("refuses %s", async (_label, body, code) => {
    const r = await send("DELETE", "/1.0/API_KEY/data/users", body);
    expect(r.status).toBe(400);
    expect(json(r)).toEqual({ error_code: code, error_message: expect.any(String) });
  });

  it("accepts duplicate ids", async () => {
    emulator.seed("API_KEY", ["a"]);
    expect((await send("DELETE", "/1.0/API_KEY/data/users", '["a","a","a"]')).status).toBe(200);
  });

  it.each([
    ["GET", "/1.0/API_KEY/data/users/u"],
    ["POST", "/1.0/API_KEY/data/users"],
    ["PUT", "/1.0/API_KEY/data/users/u"],
    ["PATCH", "/1.0/API_KEY/data/users"],
    ["OPTIONS", "/1.0/API_KEY/data/users"],
    ["TRACE", "/1.0/API_KEY/data/users"],
    ["DELETE", "/1.0/API_KEY/data/users/u/v"],
    ["DELETE", "/nope"],
  ])("answers %s %s with 404/20", async (method, path) => {
    const r = await send(method, path);
    expect(r.status).toBe(404);
    expect(json(r).error_code).toBe(20);
  });

  it("answers HEAD on a Batch route with 404 and no body", async () => {
    const r = await send("HEAD", "/1.0/API_KEY/data/users/u");
    expect(r.status).toBe(404);
    expect(r.body).toBe("");
  });

  it("refuses a bad request line without crashing", async () => {
    const answer = await raw("NOT A REQUEST\r\n\r\n");
    expect(answer).toMatch(/^HTTP\/1.1 400/);
    expect((await send("GET", "/_emulator/health")).status).toBe(200);
  });

  it("checks auth: 401/10", async () => {
    const r = await send("DELETE", "/1.0/API_KEY/data/users/u", undefined, {
      "x-authorization": "nope",
    });
    expect(r.status).toBe(401);
    expect(json(r).error_code).toBe(10);
    const unknown = await send("DELETE", "/1.0/NOPE/data/users/u");
    expect(json(unknown).error_code).toBe(10);
  });

  it("serves the admin routes", async () => {
    const health = await send("GET", "/_emulator/health", undefined, {});
    expect(json(health)).toEqual({ ok: true });
    const seeded = await send("POST", "/_emulator/apps/API_KEY/users", '{"count":3}');
    expect(json(seeded)).toEqual({ added: 3, users: 3 });
    const users = await send("GET", "/_emulator/apps/API_KEY/users");
    expect(json(users).ids).toEqual(["user-1", "user-2", "user-3"]);
  });
});

describe("keep-alive", () => {
  it("reuses one connection for many requests", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const sockets = new Set<Socket>();
    agent.on("free", (socket: Socket) => sockets.add(socket));
    try {
      for (let i = 0; i < 20; i++) {
        const r = await send("DELETE", `/1.0/API_KEY/data/users/u${i}`, undefined, AUTH, agent);
        expect(r.status).toBe(200);
      }
      const bulk = await send("DELETE", "/1.0/API_KEY/data/users", '["a","b"]', AUTH, agent);
      expect(bulk.status).toBe(200);
      const refused = await send("DELETE", "/1.0/API_KEY/data/users", "[]", AUTH, agent);
      expect(refused.status).toBe(400);
      expect(sockets.size).toBe(1);
    } finally {
      agent.destroy();
    }
  });

  it("answers many concurrent requests", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    try {
      const answers = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          send("DELETE", `/1.0/API_KEY/data/users/u${i}`, undefined, AUTH, agent),
        ),
      );
      expect(answers.every((a) => a.status === 200)).toBe(true);
      expect(new Set(answers.map((a) => json(a).token)).size).toBe(200);
    } finally {
      agent.destroy();
    }
  });
});

describe("body cap", () => {
  it("cuts an endless chunked upload off at the cap, closes the connection, keeps serving", async () => {
    const socket = connect(server.port, "127.0.0.1");
    const received: Buffer[] = [];
    let written = 0;
    const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
    socket.on("data", (c) => received.push(c));
    socket.on("error", () => undefined);
    await new Promise<void>((resolve) => socket.on("connect", () => resolve()));
    socket.write(
      "DELETE /1.0/API_KEY/data/users HTTP/1.1\r\nHost: x\r\nX-Authorization: REST_API_KEY\r\nTransfer-Encoding: chunked\r\n\r\n",
    );
    socket.write("1\r\n[\r\n");
    // 64 KiB of 1,024 ids a chunk: a valid array, too many bytes before too many ids.
    const chunk = `${(64 * 1024).toString(16)}\r\n${`"${"x".repeat(61)}",`.repeat(1024)}\r\n`;
    let ended = false;
    void closed.then(() => {
      ended = true;
    });
    // Bounded: at most 64 MiB offered against a 256 KiB cap.
    while (!ended && written < 64 * 1024 * 1024) {
      if (!socket.write(chunk)) {
        await Promise.race([
          new Promise((r) => socket.once("drain", r)),
          closed,
          new Promise((r) => setTimeout(r, 50)),
        ]);
      }
      written += chunk.length;
    }
    await closed;
    expect(written).toBeLessThan(32 * 1024 * 1024);
    const text = Buffer.concat(received).toString("utf8");
    if (text !== "") {
      expect(text).toMatch(/^HTTP\/1.1 413/);
      expect(text).toMatch(/"error_code":31/);
    }
    expect((await send("GET", "/_emulator/health")).status).toBe(200);
  });

  it("refuses a declared Content-Length over the cap at once, with 413/31 and Connection: close", async () => {
    const answer = await raw(
      `DELETE /1.0/API_KEY/data/users HTTP/1.1\r\nHost: x\r\nX-Authorization: REST_API_KEY\r\nContent-Length: ${10 * 1024 * 1024}\r\n\r\n["a"`,
    );
    expect(answer).toMatch(/^HTTP\/1.1 413/);
    expect(answer).toMatch(/connection: close/i);
    expect(answer).toMatch(/"error_code":31/);
    expect(emulator.log().at(-1)).toMatchObject({ status: 413 });
  });

  it("survives a client that leaves in the middle of a body", async () => {
    const socket = connect(server.port, "127.0.0.1");
    await new Promise<void>((resolve) => socket.on("connect", () => resolve()));
    socket.on("error", () => undefined);
    socket.write(
      'DELETE /1.0/API_KEY/data/users HTTP/1.1\r\nHost: x\r\nX-Authorization: REST_API_KEY\r\nContent-Length: 1000\r\n\r\n["user1",',
    );
    await new Promise((r) => setTimeout(r, 20));
    socket.destroy();
    await new Promise((r) => setTimeout(r, 20));
    expect((await send("DELETE", "/1.0/API_KEY/data/users", '["user1"]')).status).toBe(200);
  });

  it("answers Expect: 100-continue: no continue for a body declared too large", async () => {
    const answer = await raw(
      `DELETE /1.0/API_KEY/data/users HTTP/1.1\r\nHost: x\r\nX-Authorization: REST_API_KEY\r\nExpect: 100-continue\r\nContent-Length: ${1024 * 1024}\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1.1 413/);
    expect(answer).not.toMatch(/100 Continue/);
  });

  it("answers Expect: 100-continue with a continue for a body within the cap", async () => {
    const socket = connect(server.port, "127.0.0.1");
    const body = '["user1"]';
    let text = "";
    const done = new Promise<void>((resolve) => socket.on("close", () => resolve()));
    socket.on("data", (c) => {
      text += c.toString("utf8");
      if (text.startsWith("HTTP/1.1 100 Continue\r\n\r\n") && !text.includes("200 OK"))
        socket.write(body);
    });
    socket.write(
      `DELETE /1.0/API_KEY/data/users HTTP/1.1\r\nHost: x\r\nX-Authorization: REST_API_KEY\r\nExpect: 100-continue\r\nConnection: close\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    const timer = setTimeout(() => socket.destroy(), 5000);
    await done;
    clearTimeout(timer);
    expect(text).toMatch(/^HTTP\/1.1 100 Continue\r\n\r\nHTTP\/1.1 200 OK/);
  });

  it("refuses an oversized body streamed with http.request, then serves the next one", async () => {
    const big = new Uint8Array(300 * 1024).fill(0x20);
    const outcome = await send("DELETE", "/1.0/API_KEY/data/users", big).catch(
      (error: NodeJS.ErrnoException) => error,
    );
    if (outcome instanceof Error) expect(outcome.code).toMatch(/ECONNRESET|EPIPE/);
    else expect(outcome.status).toBe(413);
    expect((await send("DELETE", "/1.0/API_KEY/data/users", '["ok"]')).status).toBe(200);
  });
});

describe("the documented curl examples", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "emulator-curl-"));
    writeFileSync(join(dir, "payload.json"), '["user1","user2","user3"]');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const curl = (args: string[]) =>
    new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(
        "curl",
        ["-sS", "--max-time", "10", "-w", "\\n%{http_code}", ...args],
        { cwd: dir },
        (_err, stdout) => {
          const lines = stdout.trimEnd().split("\n");
          resolve({ code: Number(lines.pop()), stdout: lines.join("\n") });
        },
      );
    });

  /** The README's curl call: DELETE with the REST key, to `path` under the base URL. */
  const documentedCurl = (path: string, ...extra: string[]) =>
    curl([
      "-H",
      "Content-Type: application/json",
      "-H",
      "X-Authorization: REST_API_KEY",
      "-X",
      "DELETE",
      ...extra,
      `${server.baseUrl}${path}`,
    ]);

  it("single delete, as documented", async () => {
    emulator.seed("API_KEY", ["user1"]);
    const r = await documentedCurl("/API_KEY/data/users/user1");
    expect(r.code).toBe(200);
    expect(JSON.parse(r.stdout).token).toMatch(/^[0-9a-f-]{36}$/);
    await emulator.settled();
    expect(emulator.hasData("API_KEY", "user1")).toBe(false);
  });

  it("bulk delete with -d @payload.json, as documented", async () => {
    emulator.seed("API_KEY", ["user1", "user2", "user3", "user4"]);
    const r = await documentedCurl("/API_KEY/data/users", "-d", "@payload.json");
    expect(r.code).toBe(200);
    expect(JSON.parse(r.stdout).token).toMatch(/^[0-9a-f-]{36}$/);
    await emulator.settled();
    expect(emulator.users("API_KEY")).toEqual(["user4"]);
  });
});

describe("faults over HTTP", () => {
  it("destroys the socket on reset", async () => {
    emulator.failNext("reset");
    const error = await send("DELETE", "/1.0/API_KEY/data/users/u").catch(
      (e: NodeJS.ErrnoException) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as NodeJS.ErrnoException).code).toBe("ECONNRESET");
    const viaFetch = await fetch(`${server.baseUrl}/API_KEY/data/users/u`, {
      method: "DELETE",
      headers: AUTH,
    })
      .then(() => "answered")
      .catch((e: unknown) => e);
    expect(viaFetch).toBe("answered");
    emulator.failNext("reset");
    await expect(
      fetch(`${server.baseUrl}/API_KEY/data/users/u`, { method: "DELETE", headers: AUTH }),
    ).rejects.toThrow(TypeError);
  });

  it("answers each fault kind over HTTP, set through /_emulator/faults", async () => {
    const put = await send(
      "PUT",
      "/_emulator/faults",
      JSON.stringify({
        failNext: [
          { kind: "serverError" },
          { kind: "maintenance" },
          { kind: "tooManyRequests" },
          { kind: "badGateway" },
        ],
        retryAfterSeconds: 4,
      }),
    );
    expect(put.status).toBe(200);
    const a = await send("DELETE", "/1.0/API_KEY/data/users/u");
    const b = await send("DELETE", "/1.0/API_KEY/data/users/u");
    const c = await send("DELETE", "/1.0/API_KEY/data/users/u");
    const d = await send("DELETE", "/1.0/API_KEY/data/users/u");
    expect([a.status, b.status, c.status, d.status]).toEqual([500, 503, 429, 502]);
    expect(json(a).error_code).toBe(1);
    expect(json(b).error_code).toBe(2);
    expect(json(c).error_code).toBe(60);
    expect(c.headers["retry-after"]).toBe("4");
    expect(d.headers["content-type"]).toMatch(/^text\/html/);
    expect(d.body).toMatch(/502 Bad Gateway/);
    expect((await send("DELETE", "/1.0/API_KEY/data/users/u")).status).toBe(200);
  });

  it("lets a hanging request go when the client aborts", async () => {
    emulator.failNext("hang");
    await expect(
      fetch(`${server.baseUrl}/API_KEY/data/users/u`, {
        method: "DELETE",
        headers: AUTH,
        signal: AbortSignal.timeout(100),
      }),
    ).rejects.toMatchObject({ name: "TimeoutError" });
    expect((await send("DELETE", "/1.0/API_KEY/data/users/u")).status).toBe(200);
  });

  it("hangs until close(), which ends the request and resolves", async () => {
    const own = await serve({ faults: { hang: 1 } }, { port: 0, closeGraceMs: 10_000 });
    const pending = fetch(`${own.baseUrl}/API_KEY/data/users/u`, {
      method: "DELETE",
      headers: AUTH,
    }).then(
      () => "answered",
      (e: unknown) => e,
    );
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await own.close();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await pending).toBeInstanceOf(TypeError);
    expect(own.emulator.closed()).toBe(true);
  });
});

describe("close", () => {
  it("closes idle keep-alive connections at once and resolves", async () => {
    const own = await serve({}, { port: 0, keepAliveTimeoutMs: 60_000 });
    const agent = new Agent({ keepAlive: true });
    try {
      const r = await new Promise<number>((resolve, reject) => {
        const req = httpRequest(`${own.url}/_emulator/health`, { agent }, (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        });
        req.on("error", reject);
        req.end();
      });
      expect(r).toBe(200);
      const started = Date.now();
      await own.close();
      expect(Date.now() - started).toBeLessThan(1000);
      await own.close();
    } finally {
      agent.destroy();
    }
  });

  it("lets an in-flight request finish before closing", async () => {
    const own = await serve({ faults: { latencyMs: 150 } }, { port: 0 });
    const inFlight = fetch(`${own.baseUrl}/API_KEY/data/users/u`, {
      method: "DELETE",
      headers: AUTH,
    });
    await new Promise((r) => setTimeout(r, 30));
    const closing = own.close();
    const r = await inFlight;
    expect(r.status).toBe(200);
    expect(r.headers.get("connection")).toBe("close");
    await closing;
    await expect(fetch(`${own.url}/_emulator/health`)).rejects.toThrow(TypeError);
  });

  it("does not close an emulator it was given", async () => {
    const given = createEmulator();
    const own = await serve(given);
    await own.close();
    expect(given.closed()).toBe(false);
    given.close();
  });

  it("rejects when the port is taken", async () => {
    await expect(serve({}, { port: server.port })).rejects.toMatchObject({ code: "EADDRINUSE" });
  });

  it("serves any object with a fetch handler", async () => {
    const own = await serve(
      { fetch: async () => new Response("hi", { status: 201 }) },
      { port: 0 },
    );
    extraServers.push(own);
    const r = await fetch(own.url);
    expect(r.status).toBe(201);
    expect(await r.text()).toBe("hi");
  });

  it("hands a plain fetch handler the request body", async () => {
    const own = await serve(
      { fetch: async (request: Request) => new Response(`got ${await request.text()}`) },
      { port: 0 },
    );
    extraServers.push(own);
    const r = await fetch(own.url, { method: "POST", body: '["a","b"]' });
    expect(await r.text()).toBe('got ["a","b"]');
  });
});
