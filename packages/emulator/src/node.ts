/**
 * @batch-custom-data/emulator/node: serves an emulator over HTTP with node:http, with the
 * socket-level control the faults need (`reset` destroys the socket, `hang` never answers
 * until the client leaves or the server closes) and the limits a server open to hostile
 * clients needs: the body reaches the handler as a stream it reads only once the headers
 * passed (so a 401 costs no body), a body over the cap is cut off and its connection closed,
 * a request must arrive within a time limit (408), idle connections close, and connections
 * over a cap are closed at once. Keep-alive works; `close()` is graceful.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { DEFAULT_MAX_BODY_BYTES } from "./body.js";
import { bodyTooLarge, type Handle, isNetworkFault } from "./context.js";
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
  /**
   * How long a client has to send a request's headers, counted from its connection or its
   * previous request (default 10,000 ms; at most `requestTimeoutMs`). Then: 408, closed.
   */
  readonly headersTimeoutMs?: number;
  /**
   * How long a client has to send a whole request, headers and body (default 30,000 ms;
   * 0: no limit). A half-sent request gets a 408 and its connection is closed. Only the
   * request is timed: an answer may take as long as it takes (a `hang` fault hangs).
   */
  readonly requestTimeoutMs?: number;
  /**
   * Connections open at once (default 512, well under a usual `ulimit -n` of 1024). Over it,
   * a new connection is closed as soon as it is accepted, before a byte is read or written
   * (the client sees a reset), and counted in `connections().refused`. Open connections keep
   * working, and slots free up as idle ones time out.
   */
  readonly maxConnections?: number;
}

export interface ServedEmulator {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** `http://127.0.0.1:PORT/1.0`: the client's `baseUrl`. */
  readonly baseUrl: string;
  readonly port: number;
  readonly hostname: string;
  readonly emulator: Emulator;
  /** Connections open now, and connections refused so far for being over `maxConnections`. */
  readonly connections: () => { open: number; refused: number };
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

function nonNegative(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !(value >= 0) || !Number.isFinite(value)) {
    throw new RangeError(`serve: ${name} must be a finite number ≥ 0.`);
  }
  return value;
}

/** Where a request's body stands: read by the handler, cut off, or discarded after the answer. */
interface BodyState {
  bytes: number;
  started: boolean;
  ended: boolean;
  overCap: boolean;
  /** The handler stopped reading (it cancelled the stream). */
  cancelled: boolean;
  /** The answer is out: what comes in is counted, then dropped, up to `dropUpTo`. */
  dropping: boolean;
  dropUpTo: number;
}

const hasBody = (req: IncomingMessage) =>
  (req.headers["content-length"] !== undefined && req.headers["content-length"] !== "0") ||
  req.headers["transfer-encoding"] !== undefined;

const READ_AHEAD = 64 * 1024;
/**
 * What is still read (and dropped) of a body after its answer, so that a client that sends
 * its body anyway (a bulk call of 10,000 ids with a wrong key is 0.1 to 1 MB) reads the answer
 * and keeps its keep-alive connection. More than that: the connection closes at once. (fetch
 * and node:http read an answer that came before the close; a client still writing may see a
 * reset instead, which is why small bodies are read to their end.)
 */
const LINGER_BYTES = 1024 * 1024;

const expectsContinue = (req: IncomingMessage) => /100-continue/i.test(req.headers.expect ?? "");

/**
 * The request body as a web stream the handler pulls from. Nothing is read from the socket
 * until the handler asks (an `Expect: 100-continue` is answered then, not before); past
 * `maxBytes` the stream errors with the BODY_TOO_LARGE brand and reading stops.
 */
function bodyStream(
  req: IncomingMessage,
  res: ServerResponse,
  state: BodyState,
  maxBytes: number,
  destroy: () => void,
): ReadableStream<Uint8Array> {
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  const start = () => {
    state.started = true;
    req.on("data", (chunk: Buffer) => {
      state.bytes += chunk.length;
      if (state.dropping) {
        if (state.bytes > state.dropUpTo) destroy();
        return;
      }
      if (state.cancelled) return;
      if (state.bytes > maxBytes) {
        if (!state.overCap) controller?.error(bodyTooLarge(maxBytes));
        state.overCap = true;
        // Never read past the cap: the connection closes once the 413 is out.
        req.pause();
        return;
      }
      controller?.enqueue(chunk);
      // Read ahead of the handler by at most 64 KiB.
      if ((controller?.desiredSize ?? 0) <= -READ_AHEAD) req.pause();
    });
    req.on("end", () => {
      state.ended = true;
      if (!state.cancelled && !state.dropping && !state.overCap) controller?.close();
    });
    req.on("close", () => {
      if (!state.ended && !state.cancelled && !state.dropping && !state.overCap) {
        controller?.error(new Error("the client went away during the body"));
      }
    });
  };
  return new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
      },
      pull() {
        if (!state.started) {
          if (expectsContinue(req) && !res.headersSent) res.writeContinue();
          start();
        }
        req.resume();
      },
      cancel() {
        state.cancelled = true;
        req.pause();
      },
    },
    // No high-water mark: a stream with one pulls at once, and nothing may be read (nor a
    // "continue" sent) before the handler asks.
    { highWaterMark: 0, size: (chunk) => chunk.byteLength },
  );
}

/** Serves `target` (an emulator, or options to create one) on `hostname:port`. */
export async function serve(
  target: Served | EmulatorOptions = {},
  options: ServeOptions = {},
): Promise<ServedEmulator> {
  const owned = !isEmulator(target);
  const emulator = (owned ? createEmulator(target as EmulatorOptions) : target) as Emulator;
  const handle: Handle = handleOf(emulator) ?? ((request) => (emulator as Served).fetch(request));
  const hostname = options.hostname ?? "127.0.0.1";
  const maxBodyBytes =
    options.maxBodyBytes ??
    (typeof emulator.maxBodyBytes === "number" ? emulator.maxBodyBytes : DEFAULT_MAX_BODY_BYTES);
  const closeGraceMs = nonNegative(options.closeGraceMs, 2000, "closeGraceMs");
  const requestTimeout = nonNegative(options.requestTimeoutMs, 30_000, "requestTimeoutMs");
  const headersTimeout = Math.min(
    nonNegative(options.headersTimeoutMs, 10_000, "headersTimeoutMs"),
    requestTimeout === 0 ? Number.POSITIVE_INFINITY : requestTimeout,
  );
  const maxConnections = options.maxConnections ?? 512;
  if (!Number.isInteger(maxConnections) || maxConnections < 1) {
    throw new RangeError("serve: maxConnections must be a whole number ≥ 1.");
  }

  const sockets = new Set<Socket>();
  /** The answer in progress on each socket. */
  const answering = new Map<Socket, ServerResponse>();
  let closing = false;
  let refused = 0;
  const release = new AbortController();
  let origin = "";

  const onHttpRequest = (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    answering.set(socket, res);
    res.on("finish", () => {
      if (answering.get(socket) === res) answering.delete(socket);
      if (closing) socket.end();
    });
    onRequest(req, res).catch(() => socket.destroy());
  };
  const server = createServer(
    {
      keepAlive: true,
      noDelay: true,
      requestTimeout,
      headersTimeout,
      // How often Node checks those two: often enough that a short timeout is kept to.
      connectionsCheckingInterval: Math.min(
        1000,
        Math.max(
          10,
          Math.floor(Math.min(headersTimeout || Infinity, requestTimeout || Infinity) / 4),
        ),
      ),
    },
    onHttpRequest,
  );
  // `Expect: 100-continue` (curl sends it for large bodies): the "continue" goes out only when
  // the handler starts reading the body, so a request refused on its headers never gets one.
  server.on("checkContinue", onHttpRequest);
  server.keepAliveTimeout = nonNegative(options.keepAliveTimeoutMs, 5000, "keepAliveTimeoutMs");
  server.maxConnections = maxConnections;
  server.on("drop", () => {
    refused++;
  });
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => {
      sockets.delete(socket);
      answering.delete(socket);
    });
  });
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Socket) => {
    // A request that did not arrive in time, or could not be parsed: say so unless an
    // answer is already on its way, then close.
    if (socket.writable && !answering.get(socket)?.headersSent) {
      const status =
        error.code === "ERR_HTTP_REQUEST_TIMEOUT"
          ? "408 Request Timeout"
          : error.code === "HPE_HEADER_OVERFLOW"
            ? "431 Request Header Fields Too Large"
            : "400 Bad Request";
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    }
    socket.destroy();
  });

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const socket = req.socket;
    const controller = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) controller.abort(new Error("the client went away"));
    });
    req.on("error", () => undefined);
    const rawPath = req.url ?? "/";
    const method = req.method ?? "GET";
    const body: BodyState = {
      bytes: 0,
      started: false,
      ended: false,
      overCap: false,
      cancelled: false,
      dropping: false,
      dropUpTo: 0,
    };
    const declared = Number(req.headers["content-length"] ?? 0);

    let response: Response;
    try {
      const headers = new Headers();
      const raw = req.rawHeaders;
      for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
      const url = rawPath.startsWith("/") ? `${origin}${rawPath}` : `${origin}/`;
      const withBody = hasBody(req) && method !== "GET" && method !== "HEAD";
      const request = new Request(url, {
        method,
        headers,
        signal: controller.signal,
        ...(withBody
          ? {
              body: bodyStream(req, res, body, maxBodyBytes, () => socket.destroy()),
              duplex: "half",
            }
          : {}),
      } as RequestInit);
      response = await handle(request, {
        rawPath,
        signal: controller.signal,
        release: release.signal,
      });
    } catch (error) {
      if (controller.signal.aborted || isNetworkFault(error)) {
        socket.destroy();
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
    // A body left unread (refused on the headers, or cut short by a refusal): read at most
    // LINGER_BYTES (1 MiB) more of it after the answer, dropped, so the connection can serve
    // the next request; close it instead when more is announced (or it is over the cap, or
    // the client waits for a "continue" that will not come).
    const unread = !req.complete;
    const declaredRest = req.headers["content-length"] === undefined ? 0 : declared - body.bytes;
    const closeAfter =
      unread &&
      (body.overCap ||
        declaredRest > LINGER_BYTES ||
        response.status === 413 ||
        (expectsContinue(req) && !body.started));
    if (closeAfter || closing) headers.connection = "close";
    res.writeHead(response.status, headers);
    res.end(payload);
    if (!unread) return;
    res.on("finish", () => {
      if (closeAfter) {
        socket.destroy();
        return;
      }
      body.dropping = true;
      body.dropUpTo = body.bytes + LINGER_BYTES;
      if (!body.started) {
        body.started = true;
        req.on("data", (chunk: Buffer) => {
          body.bytes += chunk.length;
          if (body.bytes > body.dropUpTo) socket.destroy();
        });
      }
      req.resume();
    });
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
      for (const socket of sockets) if (!answering.has(socket)) socket.destroy();
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

  return {
    url: origin,
    baseUrl: `${origin}/1.0`,
    port,
    hostname,
    emulator,
    connections: () => ({ open: sockets.size, refused }),
    close,
  };
}
