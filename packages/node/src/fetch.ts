/**
 * A keep-alive `fetch` for the bulk path, on node:http / node:https.
 *
 * Why not Node's global fetch: undici (bundled in Node 20 and 22) closes the connection after
 * every request that has a body but a method it does not expect a payload for, DELETE
 * included. Every bulk call then opens a new TCP (and TLS) connection. Measured against a
 * local server (packages/node/bench/keepalive.mjs): 2,000 bulk calls at concurrency 16 opened
 * 2,000 connections with the global fetch and took 1.8 s; with this transport they opened
 * none after warm-up and took 0.37 s. With 10,000-id calls the gap is smaller on loopback
 * (131 ms vs 96 ms for 50 calls), and larger over a real network, where each new connection
 * costs TCP and TLS round trips.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { FetchLike } from "@batch-custom-data/core";

export interface NodeFetchOptions {
  /** Connections per origin at most (default: unlimited; the client's concurrency bounds it). */
  maxSockets?: number;
  /**
   * How long an idle connection is kept, in ms (default 4,000: below the 5 s that many servers
   * and load balancers allow, so a connection is not reused just as the server closes it).
   */
  idleTimeoutMs?: number;
  /** Largest response body read, in bytes (default 1 MiB: an answer is a token or an error). */
  maxResponseBytes?: number;
}

export interface NodeFetch extends FetchLike {
  /** Closes every idle connection (they are unref'ed, so they never hold a process open). */
  close(): void;
}

/** Makes a `fetch` for the client over node:http(s) agents that keep connections alive. */
export function createNodeFetch(options: NodeFetchOptions = {}): NodeFetch {
  const agentOptions = {
    keepAlive: true,
    maxSockets: options.maxSockets ?? Number.POSITIVE_INFINITY,
    timeout: options.idleTimeoutMs ?? 4000,
    scheduling: "lifo" as const,
  };
  const http = new HttpAgent(agentOptions);
  const https = new HttpsAgent(agentOptions);
  const maxBytes = options.maxResponseBytes ?? 1 << 20;

  const once = (url: URL, init: Parameters<FetchLike>[1]) =>
    new Promise<{ response: Response } | { retry: true }>((resolve, reject) => {
      const secure = url.protocol === "https:";
      const body = init.body === undefined ? undefined : Buffer.from(init.body);
      const headers: Record<string, string | number> = { ...init.headers };
      // node:http sends a DELETE body without Content-Length (or chunking) unless told.
      if (body) headers["Content-Length"] = body.length;
      const req = (secure ? httpsRequest : httpRequest)(url, {
        method: init.method,
        headers,
        agent: secure ? https : http,
        signal: init.signal,
      });
      req.on("response", (res: IncomingMessage) => {
        const parts: Buffer[] = [];
        let size = 0;
        let answered = false;
        res.on("data", (part: Buffer) => {
          size += part.length;
          if (size <= maxBytes) parts.push(part);
          else res.destroy(); // a giant answer is an HTML page or worse: the status says enough
        });
        const done = () => {
          if (answered) return;
          answered = true;
          const responseHeaders = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            if (Array.isArray(value)) for (const v of value) responseHeaders.append(name, v);
            else if (value !== undefined) responseHeaders.set(name, value);
          }
          try {
            resolve({
              response: new Response(Buffer.concat(parts), {
                status: res.statusCode ?? 0,
                statusText: res.statusMessage ?? "",
                headers: responseHeaders,
              }),
            });
          } catch (error) {
            reject(error); // a status no Response can hold: a network-level failure
          }
        };
        res.on("end", done);
        res.on("close", () => {
          if (size > maxBytes) done();
        });
        res.on("error", (error) => (size > maxBytes ? done() : reject(error)));
      });
      req.on("error", (error: NodeJS.ErrnoException) => {
        // A kept-alive connection the server closed just before we used it: try a fresh one
        // once, at once (Node's documented pattern; a DELETE is idempotent).
        if (req.reusedSocket && error.code === "ECONNRESET" && !init.signal.aborted) {
          resolve({ retry: true });
        } else {
          reject(error);
        }
      });
      req.end(body);
    });

  const fetch: FetchLike = async (input, init) => {
    const url = new URL(input);
    const first = await once(url, init);
    if ("response" in first) return first.response;
    const second = await once(url, init);
    if ("response" in second) return second.response;
    throw Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
  };
  return Object.assign(fetch, {
    close() {
      http.destroy();
      https.destroy();
    },
  });
}
