/**
 * What the request handler shares with the emulator object and with the Node server: the
 * emulator's live state, the per-request context, and the branded "network fault" error that
 * a transport turns into a dropped connection.
 */
import type { Cors } from "./cors.js";
import type { FaultConfig, FaultKind, Faults } from "./faults.js";
import type { RingLog } from "./log.js";
import type { TokenBucket } from "./rate-limit.js";
import type { Store } from "./state.js";
import type { Timeline } from "./timeline.js";

export interface EmulatorStats {
  /** Requests to anything but `/_emulator/` (CORS preflights aside), counted on arrival. */
  requests: number;
  /** 200 answers (accepted deletions). */
  accepted: number;
  /** Ids in accepted deletions, duplicates included. */
  idsAccepted: number;
  /** Error answers (4xx and 5xx, faults included). */
  errors: number;
  /** Requests that got a fault. */
  faults: number;
  /** 429 answers from the rate limit (`rateLimit`), not counting `tooManyRequests` faults. */
  rateLimited: number;
  /** Answers by HTTP status (`"200"`, `"429"`, …); a call left unanswered counts as `"none"`. */
  statuses: Record<string, number>;
}

export function emptyStats(): EmulatorStats {
  return {
    requests: 0,
    accepted: 0,
    idsAccepted: 0,
    errors: 0,
    faults: 0,
    rateLimited: 0,
    statuses: {},
  };
}

export interface Core {
  readonly store: Store;
  readonly faults: Faults;
  readonly log: RingLog;
  readonly stats: EmulatorStats;
  readonly restApiKey: string;
  readonly restrictedApps: ReadonlySet<string>;
  readonly maxBodyBytes: number;
  readonly maxIdLength: number;
  /** Undefined: no CORS headers (like Batch). */
  readonly cors: Cors | undefined;
  /** Undefined: no rate limit. */
  readonly rateLimit: TokenBucket | undefined;
  readonly timeline: Timeline;
  readonly now: () => number;
  /** Called when the emulator closes: releases hanging requests. */
  readonly onClose: Set<() => void>;
  readonly isClosed: () => boolean;
  /** What `reset()` comes back to. */
  readonly initialFaults: FaultConfig | undefined;
  readonly initialSeed: number;
}

/** Per-request context a transport may pass along with the `Request`. */
export interface HandleContext {
  /** The request target exactly as received (path and query, still percent-encoded). */
  readonly rawPath?: string;
  /** Aborted when the client goes away; stops latency and `hang`. */
  readonly signal?: AbortSignal;
  /** Aborted when the transport shuts down: a hanging request is dropped then. */
  readonly release?: AbortSignal;
}

/** Filled in while a request is handled, for the log. */
export interface RequestMeta {
  /** When the request arrived, on the emulator's clock. */
  readonly at: number;
  ids: number;
  fault: FaultKind | null;
  rateLimited: boolean;
  token?: string;
  /** Logs and counts the request once: its status, or null when no answer is sent. */
  readonly record: (status: number | null) => void;
}

export type Env = { Bindings: HandleContext & { meta: RequestMeta } };

export const HANDLE = Symbol.for("@batch-custom-data/emulator.handle");
export const NETWORK_FAULT = Symbol.for("@batch-custom-data/emulator.network-fault");
/**
 * Brands the error a transport puts in a request body stream it cut off at its own size cap,
 * so the handler answers 413 (not a dropped connection).
 */
export const BODY_TOO_LARGE = Symbol.for("@batch-custom-data/emulator.body-too-large");

export function bodyTooLarge(maxBytes: number): RangeError {
  const error = new RangeError(`The request body is larger than ${maxBytes} bytes.`);
  Object.defineProperty(error, BODY_TOO_LARGE, { value: true });
  return error;
}

export type Handle = (request: Request, context?: HandleContext) => Promise<Response>;

/**
 * What `fetch` rejects with when a connection fails ("fetch failed", a `TypeError`). The
 * brand tells a transport to drop the connection instead of answering.
 */
export function networkFault(code: "ECONNRESET" | "ECONNREFUSED", detail: string): TypeError {
  const cause = Object.assign(new Error(detail), { code });
  const error = new TypeError("fetch failed", { cause });
  Object.defineProperty(error, NETWORK_FAULT, { value: code });
  return error;
}

export function isNetworkFault(error: unknown): boolean {
  return typeof error === "object" && error !== null && NETWORK_FAULT in error;
}
