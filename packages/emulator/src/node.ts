/**
 * @batch-custom-data/emulator/node: serves an emulator over HTTP with node:http, with the
 * socket-level control the faults need: `reset` destroys the socket, `hang` never answers
 * (until the client leaves or the server closes), and the body cap cuts an oversized upload
 * off mid-stream and closes the connection. Keep-alive works; `close()` is graceful.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { DEFAULT_MAX_BODY_BYTES } from "./body.js";
import { type Handle, isNetworkFault } from "./context.js";
import { createEmulator, type Emulator, type EmulatorOptions, handleOf } from "./emulator.js";

export { createEmulator, type Emulator, type EmulatorOptions } from "./emulator.js";

import { errorResponse } from "./errors.js";

export interface ServeOptions {
  /** Port to listen on; 0 (the default) picks a free one, reported in the result. */
  readonly port?: number;
  /** Interface to listen on (default `"127.0.0.1"`: loopback only). */
  readonly hostname?: string;
  /** Body size cap in bytes (default: the emulator's `maxBodyBytes`, else 64 MiB). */
  readonly maxBodyBytes?: number;
  /** How long an idle keep-alive connection stays open (default 5000 ms). */
  readonly keepAliveTimeoutMs?: number;
  /** How long `close()` lets in-flight requests finish before dropping them (default 2000 ms). */
  readonly closeGraceMs?: number;
}

export interface ServedEmulator {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** `http://127.0.0.1:PORT/1.0`: the client's `baseUrl`. */
  readonly baseUrl: string;
  readonly port: number;
  readonly hostname: string;
  readonly emulator: Emulator;
  /**
   * Stops listening, closes idle keep-alive connections, drops hanging requests, waits for the
   * others (up to `closeGraceMs`). Closes the emulator too when `serve` created it.
   */
  readonly close: () => Promise<void>;
}

type Served = Emulator | { readonly fetch: (request: Request) => Promise<Response> };

function isEmulator(value: unknown): value is Served {
  return (
    typeof value === "object" && value !== null && typeof (value as Served).fetch === "function"
  );
}

/** Serves `target` (an emulator, or options to create one) on `hostname:port`. */
export async function serve(
  target: Served | EmulatorOptions = {},
  options: ServeOptions = {},
): Promise<ServedEmulator> {
  const owned = !isEmulator(target);
  const emulator = (owned ? createEmulator(target as EmulatorOptions) : target) as Emulator;
  // A plain `{ fetch }` handler gets a whole Request: the body the server already read goes
  // back into it (an oversized one is not passed on; the connection is closed after the answer).
  const handle: Handle =
    handleOf(emulator) ??
    ((request, context) => {
      const body = context?.body;
      const hasBody = body instanceof Uint8Array && body.length > 0;
      return emulator.fetch(hasBody ? new Request(request, { body: body as BodyInit }) : request);
    });
  const hostname = options.hostname ?? "127.0.0.1";
  const maxBodyBytes =
    options.maxBodyBytes ??
    (typeof emulator.maxBodyBytes === "number" ? emulator.maxBodyBytes : DEFAULT_MAX_BODY_BYTES);
  const closeGraceMs = options.closeGraceMs ?? 2000;

  const sockets = new Set<Socket>();
  const busy = new Set<Socket>();
  let closing = false;
  const release = new AbortController();
  let origin = "";

  const onHttpRequest = (req: IncomingMessage, res: ServerResponse) => {
    busy.add(req.socket);
    res.on("finish", () => {
      busy.delete(req.socket);
      if (closing) req.socket.end();
    });
    onRequest(req, res).catch(() => req.socket.destroy());
  };
  const server = createServer({ keepAlive: true, noDelay: true }, onHttpRequest);
  // `Expect: 100-continue` (curl sends it for large bodies): no "continue" for a body that is
  // declared too large; it gets its 413 straight away.
  server.on("checkContinue", (req: IncomingMessage, res: ServerResponse) => {
    if (!(Number(req.headers["content-length"] ?? 0) > maxBodyBytes)) res.writeContinue();
    onHttpRequest(req, res);
  });
  server.keepAliveTimeout = options.keepAliveTimeoutMs ?? 5000;
  server.headersTimeout = 30_000;
  // A hanging request must be able to hang: no per-request timeout.
  server.requestTimeout = 0;
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => {
      sockets.delete(socket);
      busy.delete(socket);
    });
  });
  server.on("clientError", (_error, socket: Socket) => {
    if (socket.writable) {
      socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    }
    socket.destroy();
  });

  /** Reads the body up to the cap. Over it: stop reading, answer 413, drop the connection. */
  function readBody(req: IncomingMessage): Promise<Uint8Array | "too-large"> {
    return new Promise((resolve, reject) => {
      const declared = Number(req.headers["content-length"] ?? 0);
      if (declared > maxBodyBytes) {
        resolve("too-large");
        return;
      }
      if (
        req.headers["content-length"] === undefined &&
        req.headers["transfer-encoding"] === undefined
      ) {
        resolve(new Uint8Array(0));
        return;
      }
      const chunks: Buffer[] = [];
      let total = 0;
      const onData = (chunk: Buffer) => {
        total += chunk.length;
        if (total > maxBodyBytes) {
          req.off("data", onData);
          req.pause();
          chunks.length = 0;
          resolve("too-large");
          return;
        }
        chunks.push(chunk);
      };
      let ended = false;
      req.on("data", onData);
      req.on("end", () => {
        ended = true;
        resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total));
      });
      req.on("error", reject);
      // A client that leaves mid-body: nothing to answer (settling twice is a no-op).
      req.on("close", () => {
        if (!ended) reject(new Error("the client went away during the body"));
      });
    });
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const controller = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) controller.abort(new Error("the client went away"));
    });
    req.on("error", () => undefined);
    const rawPath = req.url ?? "/";
    const body = await readBody(req);
    const tooLarge = body === "too-large";

    let response: Response;
    try {
      const headers = new Headers();
      const raw = req.rawHeaders;
      for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
      const url = rawPath.startsWith("/") ? `${origin}${rawPath}` : `${origin}/`;
      const request = new Request(url, {
        method: req.method ?? "GET",
        headers,
        signal: controller.signal,
      });
      response = await handle(request, {
        rawPath,
        body,
        signal: controller.signal,
        release: release.signal,
      });
    } catch (error) {
      if (controller.signal.aborted || isNetworkFault(error)) {
        req.socket.destroy();
        return;
      }
      // new Request() refuses some methods (CONNECT, TRACE) and header values.
      response = errorResponse("ROUTE_NOT_FOUND", "No such route.");
    }
    const payload = Buffer.from(await response.arrayBuffer());
    const headers: Record<string, string | string[]> = {};
    response.headers.forEach((value, name) => {
      headers[name] = value;
    });
    headers["content-length"] = String(payload.length);
    if (tooLarge || closing) headers.connection = "close";
    res.writeHead(response.status, headers);
    res.end(payload);
    if (tooLarge) {
      // Never read the rest of the upload: drop the connection once the answer is out.
      res.on("finish", () => req.socket.destroy());
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, hostname, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  origin = `http://${host}:${port}`;

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= new Promise<void>((resolve) => {
      closing = true;
      server.close(() => resolve());
      // Idle keep-alive sockets go now; busy ones after their answer (see "finish" above).
      for (const socket of sockets) if (!busy.has(socket)) socket.destroy();
      // Hanging requests never finish: drop them (their sockets get destroyed).
      release.abort();
      if (owned) emulator.close();
      const timer = setTimeout(() => {
        for (const socket of sockets) socket.destroy();
      }, closeGraceMs);
      timer.unref();
      server.once("close", () => clearTimeout(timer));
    });
    return closed;
  };

  return { url: origin, baseUrl: `${origin}/1.0`, port, hostname, emulator, close };
}
