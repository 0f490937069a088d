/**
 * A keep-alive `fetch` for the bulk path, on node:http(s) agents. Node's global fetch (undici)
 * closes the connection after every request that has a body and a method it expects none for,
 * DELETE included, so each bulk call would open a new TCP (and TLS) connection. Measured in
 * the package README (`node bench/keepalive.mjs`). The core caps how much of an answer it reads.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { Readable } from "node:stream";
import type { FetchLike } from "@batch-custom-data/core";

export interface NodeFetchOptions {
  /** Connections per origin at most (default: unlimited; the client's concurrency bounds it). */
  maxSockets?: number;
  /** Idle connections are closed after this many ms (default 4,000: under servers' usual 5 s). */
  idleTimeoutMs?: number;
}

export interface NodeFetch extends FetchLike {
  /** Closes every idle connection (they are unref'ed, so they never hold a process open). */
  close(): void;
}

/** An IncomingMessage as a web Response (no body where a status forbids one). */
function toResponse(res: IncomingMessage): Response {
  const status = res.statusCode ?? 0;
  const headers = Object.entries(res.headersDistinct).flatMap(([k, vs]) => vs!.map((v) => [k, v]));
  const body = [204, 205, 304].includes(status) ? null : (Readable.toWeb(res) as ReadableStream);
  return new Response(body, { status, headers: headers as [string, string][] });
}

type Init = Parameters<FetchLike>[1];

export function createNodeFetch(options: NodeFetchOptions = {}): NodeFetch {
  const { maxSockets = Number.POSITIVE_INFINITY, idleTimeoutMs = 4000 } = options;
  const agent = {
    keepAlive: true,
    maxSockets,
    timeout: idleTimeoutMs,
    scheduling: "lifo" as const,
  };
  const agents = { "http:": new HttpAgent(agent), "https:": new HttpsAgent(agent) };

  /** One request; "stale" when a kept-alive socket turned out closed by the server. */
  const once = (url: URL, { method, headers, body, signal }: Init, fresh: boolean) =>
    new Promise<Response | "stale">((resolve, reject) => {
      const bytes = body === undefined ? undefined : Buffer.from(body);
      const req = (url.protocol === "https:" ? httpsRequest : httpRequest)(url, {
        method,
        // node:http sends a DELETE body without Content-Length (or chunking) unless told.
        headers: bytes ? { ...headers, "Content-Length": bytes.length } : headers,
        agent: fresh ? false : agents[url.protocol as keyof typeof agents],
        signal,
      });
      // A status no Response can hold throws in toResponse: a network-level failure.
      req.on("response", (res) => Promise.resolve(res).then(toResponse).then(resolve, reject));
      req.on("error", (error: NodeJS.ErrnoException) => {
        const stale = req.reusedSocket && error.code === "ECONNRESET" && !signal.aborted;
        stale ? resolve("stale") : reject(error);
      });
      req.end(bytes);
    });

  const fetch: FetchLike = async (input, init) => {
    const url = new URL(input);
    // A stale kept-alive socket is retried once, at once, on a new connection outside the pool
    // (where others may be stale too): Node's documented pattern; a DELETE is idempotent.
    const answer = await once(url, init, false);
    return answer === "stale" ? ((await once(url, init, true)) as Response) : answer;
  };
  const close = () => {
    for (const each of Object.values(agents)) each.destroy();
  };
  return Object.assign(fetch, { close });
}
