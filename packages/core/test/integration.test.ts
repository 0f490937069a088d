import http from "node:http";
import type { AddressInfo } from "node:net";
import ky from "ky";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  BatchAbortError,
  BatchApiError,
  type BatchDeleteError,
  BatchNetworkError,
  BatchTimeoutError,
  createClient,
} from "../src/index.js";
import type { FetchLike } from "../src/send.js";
import { API_KEY, caught, FAST, REST_KEY } from "./helpers.js";

/** What reached the server, as it arrived: the raw request line's path, headers, body. */
interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}
type Handler = (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void;

const seen: Seen[] = [];
let handler: Handler;
let server: http.Server;
let origin: string;

const json = (res: http.ServerResponse, status: number, body: unknown, headers = {}) => {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
};
const answerToken: Handler = (_, res, n) => json(res, 200, { token: `token-${n}` });

/** A port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on("data", (part: Buffer) => parts.push(part));
    req.on("end", () => {
      seen.push({
        method: req.method!,
        url: req.url!,
        headers: req.headers,
        body: Buffer.concat(parts).toString("utf8"),
      });
      handler(req, res, seen.length);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  seen.length = 0;
  handler = answerToken;
});

const client = (options: Partial<Parameters<typeof createClient>[0]> = {}) =>
  createClient({
    apiKey: API_KEY,
    restApiKey: REST_KEY,
    baseUrl: `${origin}/1.0`,
    retry: FAST,
    timeoutMs: 5000,
    ...options,
  });

// API_KEY is "Live+AppKey/9f2c=Sx7Qw": written out encoded, not computed by the code under test.
const KEY_SEGMENT = "Live%2BAppKey%2F9f2c%3DSx7Qw";

describe("the wire format, over a real socket", () => {
  it("single delete: DELETE /1.0/<key>/data/users/<percent-encoded id>, both headers, no body", async () => {
    const id = "a/b?c#d%e f..é😀";
    const result = await client().deleteUser(id);
    expect(result.token).toBe("token-1");
    expect(seen).toHaveLength(1);
    const [request] = seen;
    expect(request!.method).toBe("DELETE");
    expect(request!.url).toBe(
      `/1.0/${KEY_SEGMENT}/data/users/a%2Fb%3Fc%23d%25e%20f..%C3%A9%F0%9F%98%80`,
    );
    expect(request!.headers["content-type"]).toBe("application/json");
    expect(request!.headers["x-authorization"]).toBe(REST_KEY);
    expect(request!.body).toBe("");
  });

  it("bulk delete: DELETE /1.0/<key>/data/users with the JSON array as the body", async () => {
    const report = await client().deleteUsers(["user1", "user 2", "ü/3", '"4"']);
    expect(report.tokens).toEqual([{ app: "0", chunk: 0, ids: 4, token: "token-1" }]);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: "DELETE", url: `/1.0/${KEY_SEGMENT}/data/users` });
    expect(seen[0]!.body).toBe('["user1","user 2","ü/3","\\"4\\""]');
    expect(seen[0]!.headers["content-type"]).toBe("application/json");
    expect(seen[0]!.headers["x-authorization"]).toBe(REST_KEY);
  });

  it("a baseUrl with a trailing slash still makes one clean path", async () => {
    await client({ baseUrl: `${origin}/1.0/` }).deleteUser("u1");
    expect(seen[0]!.url).toBe(`/1.0/${KEY_SEGMENT}/data/users/u1`);
  });

  it("one bulk call of 10,000 ids of 1,023 characters arrives whole", async () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => `${i}:`.padEnd(1023, "é/x "));
    const report = await client().deleteUsers(ids);
    expect(report).toMatchObject({ confirmed: 10_000, calls: 1 });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.body.length).toBeGreaterThan(10_000 * 1023);
    expect(seen[0]!.body).toBe(JSON.stringify(ids));
  }, 30_000);

  it("several chunks, in flight together, each its own call", async () => {
    const ids = Array.from({ length: 25 }, (_, i) => `u${i}`);
    const report = await client({ chunkSize: 10, concurrency: 3 }).deleteUsers(ids);
    expect(report).toMatchObject({ confirmed: 25, calls: 3 });
    const bodies = seen.map((s) => JSON.parse(s.body) as string[]);
    expect(bodies.flat().toSorted()).toEqual(ids.toSorted());
    expect(bodies.map((b) => b.length).toSorted()).toEqual([10, 10, 5]);
  });
});

describe("failures over a real socket", () => {
  it("503 then 200: retried, and succeeds", async () => {
    handler = (_, res, n) =>
      n === 1
        ? json(res, 503, { error_code: 2, error_message: "maintenance" })
        : answerToken(_, res, n);
    expect((await client().deleteUser("u1")).token).toBe("token-2");
    expect(seen).toHaveLength(2);
    expect(seen[1]!.url).toBe(seen[0]!.url);
  });

  it("401: mapped, not retried", async () => {
    handler = (_, res) => json(res, 401, { error_code: 10, error_message: "bad key" });
    const error = await caught<BatchApiError>(() => client().deleteUser("u1"));
    expect(error).toMatchObject({
      name: "AUTHENTICATION_INVALID",
      status: 401,
      code: 10,
      attempts: 1,
    });
    expect(seen).toHaveLength(1);
  });

  it("a proxy's HTML 502: mapped from the status, retried", async () => {
    handler = (_, res, n) => {
      if (n > 1) return answerToken(_, res, n);
      res.writeHead(502, { "content-type": "text/html" });
      res.end("<html><body><h1>502 Bad Gateway</h1></body></html>");
    };
    expect((await client().deleteUser("u1")).token).toBe("token-2");
    expect(seen).toHaveLength(2);

    seen.length = 0;
    const error = await caught<BatchApiError>(() => client({ retry: false }).deleteUser("u1"));
    expect(error).toMatchObject({ name: "BAD_GATEWAY", status: 502, retryable: true, attempts: 1 });
    expect(error.code).toBeUndefined();
  });

  it("a server that destroys the socket: BatchNetworkError, then success on retry", async () => {
    handler = (req, res, n) => (n === 1 ? req.socket.destroy() : answerToken(req, res, n));
    const error = await caught<BatchNetworkError>(() => client({ retry: false }).deleteUser("u1"));
    expect(error).toBeInstanceOf(BatchNetworkError);
    expect(error.retryable).toBe(true);
    expect(seen).toHaveLength(1);

    seen.length = 0;
    handler = (req, res, n) => (n === 1 ? req.socket.destroy() : answerToken(req, res, n));
    expect((await client().deleteUser("u1")).token).toBe("token-2");
    expect(seen).toHaveLength(2);
  });

  it("a connection refused on a closed port: BatchNetworkError ECONNREFUSED, retryable", async () => {
    const port = await closedPort();
    const error = await caught<BatchNetworkError>(() =>
      client({
        baseUrl: `http://127.0.0.1:${port}/1.0`,
        retry: { ...FAST, retries: 1 },
      }).deleteUser("u1"),
    );
    expect(error).toBeInstanceOf(BatchNetworkError);
    expect(error).toMatchObject({ code: "ECONNREFUSED", retryable: true, attempts: 2 });
    expect(error.message).toContain(`127.0.0.1:${port}`);
    expect(error.message).not.toContain(API_KEY);
  });

  it("a server that never answers: BatchTimeoutError after timeoutMs, and the socket is let go", async () => {
    let closed = 0;
    handler = (req) => req.socket.on("close", () => closed++);
    const error = await caught<BatchTimeoutError>(() =>
      client({ timeoutMs: 50, retry: false }).deleteUser("u1"),
    );
    expect(error).toBeInstanceOf(BatchTimeoutError);
    for (let waited = 0; closed === 0 && waited < 2000; waited += 10)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(closed).toBe(1);
  });

  it("the caller's abort ends a call the server holds", async () => {
    handler = () => {};
    const start = performance.now();
    const error = await caught(() =>
      client().deleteUser("u1", { signal: AbortSignal.timeout(30) }),
    );
    expect(error).toBeInstanceOf(BatchAbortError);
    expect(performance.now() - start).toBeLessThan(2000);
  });
});

describe("a ky instance as fetch", () => {
  const kyFetch = ky.extend({ retry: 0, throwHttpErrors: false, timeout: false }) as FetchLike;

  it("sends the same request and returns the token", async () => {
    const result = await client({ fetch: kyFetch }).deleteUser("a/b c");
    expect(result.token).toBe("token-1");
    expect(seen[0]).toMatchObject({
      method: "DELETE",
      url: `/1.0/${KEY_SEGMENT}/data/users/a%2Fb%20c`,
    });
    expect(seen[0]!.headers["x-authorization"]).toBe(REST_KEY);
    expect(seen[0]!.headers["content-type"]).toBe("application/json");
    const report = await client({ fetch: kyFetch }).deleteUsers(["u1", "u2"]);
    expect(report.confirmed).toBe(2);
    expect(seen[1]!.body).toBe('["u1","u2"]');
  });

  it("error mapping still works through it", async () => {
    handler = (_, res) => json(res, 403, { error_code: "12", message: "plan" });
    const error = await caught<BatchApiError>(() => client({ fetch: kyFetch }).deleteUser("u1"));
    expect(error).toBeInstanceOf(BatchApiError);
    expect(error).toMatchObject({ name: "API_MISUSE", status: 403, code: 12, retryable: false });
    expect(error.message).toContain(": plan");
  });

  it("retries through it: 429 with Retry-After, then 200", async () => {
    handler = (_, res, n) =>
      n === 1 ? json(res, 429, { error_code: 60 }, { "retry-after": "0" }) : answerToken(_, res, n);
    expect((await client({ fetch: kyFetch }).deleteUser("u1")).token).toBe("token-2");
    expect(seen).toHaveLength(2);
  });
});

describe("redirects over a real socket: never followed", () => {
  const kyFetch = ky.extend({ retry: 0, throwHttpErrors: false, timeout: false }) as FetchLike;
  /** Points every call at another origin (localhost, not 127.0.0.1) that would confirm it. */
  const redirecting =
    (status: number): Handler =>
    (req, res, n) => {
      if (req.url!.startsWith("/elsewhere/")) return answerToken(req, res, n);
      const port = (server.address() as AddressInfo).port;
      res.writeHead(status, { location: `http://localhost:${port}/elsewhere${req.url}` });
      res.end();
    };

  for (const [transport, fetch] of [
    ["the global fetch (undici)", undefined],
    ["a ky instance", kyFetch],
  ] as const) {
    it.each([301, 302, 303, 307, 308])(
      `${transport}: a %i is an error naming where it pointed; nothing reaches the other origin`,
      async (status) => {
        handler = redirecting(status);
        const id = "jane.doe@example.com";
        const single = await caught<BatchApiError>(() => client({ fetch }).deleteUser(id));
        const bulk = await caught<BatchDeleteError>(() =>
          client({ fetch }).deleteUsers([id, "u2"]),
        );
        expect(seen.map((s) => s.url.startsWith("/elsewhere/"))).toEqual([false, false]);
        const port = (server.address() as AddressInfo).port;
        expect(single).toMatchObject({
          name: "REDIRECTED",
          status,
          attempts: 1,
          location: `http://localhost:${port}/elsewhere/1.0/***/data/users/{id}`,
        });
        expect(bulk.report.failures[0]!.error).toMatchObject({ name: "REDIRECTED", status });
        expect(bulk.report.stoppedBy?.reason).toBe("halt");
        const printed = JSON.stringify([single, bulk]) + single.message + bulk.message;
        for (const secret of [API_KEY, encodeURIComponent(API_KEY), REST_KEY]) {
          expect(printed).not.toContain(secret);
        }
        // The id is only where the caller asked for it: the report's failed ids.
        const messages =
          JSON.stringify(single) +
          bulk.message +
          JSON.stringify(bulk.report.failures.map((f) => f.error));
        for (const form of [id, encodeURIComponent(id)]) expect(messages).not.toContain(form);
        expect(bulk.report.failedIds).toEqual([id, "u2"]);
      },
    );
  }
});
