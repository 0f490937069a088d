/**
 * The request log: a ring buffer of the last `limit` requests, each with its path redacted
 * (`/1.0/***\/data/users/...`, query string dropped) so a log can be printed or shared.
 */
import type { FaultKind } from "./faults.js";

export interface RequestLogEntry {
  /** When the request arrived (ms since the epoch). */
  readonly at: number;
  readonly method: string;
  /** The path as received (still percent-encoded), the API key replaced by `***`. */
  readonly path: string;
  /** Ids in the call: 1 for a single delete, the array's length for a bulk delete, else 0. */
  readonly ids: number;
  /** HTTP status answered; `null` when no answer was sent (`reset`, `hang`). */
  readonly status: number | null;
  /** The fault injected into this request, if any. */
  readonly fault: FaultKind | null;
  /** The transaction token of a 200. */
  readonly token?: string;
}

export class RingLog {
  #entries: (RequestLogEntry | undefined)[];
  #next = 0;
  #size = 0;
  readonly limit: number;

  constructor(limit: number) {
    this.limit = Math.max(0, Math.floor(limit));
    this.#entries = new Array(this.limit);
  }

  push(entry: RequestLogEntry): void {
    if (this.limit === 0) return;
    this.#entries[this.#next] = entry;
    this.#next = (this.#next + 1) % this.limit;
    if (this.#size < this.limit) this.#size++;
  }

  /** Oldest first. */
  entries(): RequestLogEntry[] {
    const out: RequestLogEntry[] = [];
    const start = (this.#next - this.#size + this.limit) % Math.max(this.limit, 1);
    for (let i = 0; i < this.#size; i++) {
      out.push(this.#entries[(start + i) % this.limit]!);
    }
    return out;
  }

  clear(): void {
    this.#entries = new Array(this.limit);
    this.#next = 0;
    this.#size = 0;
  }
}

/**
 * Redacts a request path for the log: the query string is dropped, the segment after `/1.0/`
 * becomes `***`, and so does any configured API key found elsewhere (raw or percent-encoded),
 * e.g. when a client got its base URL wrong.
 */
export function redactPath(rawPath: string, apiKeys: readonly string[]): string {
  const q = rawPath.search(/[?#]/);
  let path = q === -1 ? rawPath : rawPath.slice(0, q);
  if (path.startsWith("/1.0/")) {
    const end = path.indexOf("/", 5);
    path = `/1.0/***${end === -1 ? "" : path.slice(end)}`;
  }
  for (const key of apiKeys) {
    for (const needle of [key, encodeURIComponent(key)]) {
      if (needle !== "" && path.includes(needle)) path = path.split(needle).join("***");
    }
  }
  return path;
}
