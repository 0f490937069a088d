/**
 * The resume journal: a JSON-lines file. Line 1 is a header; then one line per chunk that
 * every app confirmed, appended and fsync'ed as the chunk settles, so a run killed at any
 * point (even `kill -9`) loses at most the chunks in flight, which are sent again on resume.
 *
 *   {"journal":"batch-custom-data","version":1,"chunkSize":10000,"apps":2,"target":"9f…","createdAt":"…"}
 *   {"chunk":0,"ids":10000,"sha256":"3b…","tokens":[{"app":"0","token":"…"},{"app":"1","token":"…"}],"at":"…"}
 *
 * `target` is a hash of the base URL and the app keys (never the keys): a journal is only
 * replayed against the apps it was written for. `sha256` is a hash of the chunk's ids: a
 * chunk is skipped only if the input gives it the very same ids (see hash.ts).
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  readSync,
  truncateSync,
  writeSync,
} from "node:fs";
import { MAX_IDS_PER_CALL } from "@batch-custom-data/node";
import { chunkHash } from "./hash.js";

export const JOURNAL_VERSION = 1;

export interface JournalHeader {
  journal: "batch-custom-data";
  version: number;
  chunkSize: number;
  apps: number;
  target: string;
  createdAt: string;
}

export interface JournalEntry {
  chunk: number;
  ids: number;
  sha256: string;
  tokens: { app: string; token: string }[];
  at: string;
}

/** The journal can't be used as given: a usage error (exit 2). */
export class JournalError extends Error {
  override name = "JournalError";
}

export interface JournalOptions {
  /** `--chunk-size` (or BATCH_CHUNK_SIZE) when given: must match an existing journal's. */
  chunkSize?: number;
  /** Used for a new journal when `chunkSize` is not given. */
  defaultChunkSize: number;
  apps: number;
  /** What the journal is for (hash.ts). Unknown in a dry run without keys: then not checked. */
  target?: string;
  /** Dry run: read an existing journal, create nothing, write nothing. */
  readOnly?: boolean;
}

/** How every header starts (JSON.stringify keeps the order the header is built in). */
const HEADER_START = '{"journal":"batch-custom-data",';
const TORN_HEADER = Symbol("torn header");

const isCount = (n: unknown, max = Number.MAX_SAFE_INTEGER): n is number =>
  Number.isSafeInteger(n) && (n as number) >= 1 && (n as number) <= max;

export class Journal {
  readonly path: string;
  readonly header: JournalHeader;
  /** Chunks confirmed by earlier runs: index → `${ids}:${sha256}` of each confirmed version. */
  readonly confirmed = new Map<number, Set<string>>();
  /** A torn last line (the previous run was killed mid-write) was cut off. */
  readonly repaired: boolean;
  /** Chunks appended by this run. */
  written = 0;
  #fd: number | undefined;

  /** Everything is checked before anything is written: a file that is no journal is left as is. */
  constructor(path: string, options: JournalOptions) {
    this.path = path;
    // The first line decides: a file of ids given to --resume by mistake is not read whole.
    const first = existsSync(path) ? this.#firstLine() : undefined;
    if (first === undefined || first === TORN_HEADER) {
      this.header = {
        journal: "batch-custom-data",
        version: JOURNAL_VERSION,
        chunkSize: options.chunkSize ?? options.defaultChunkSize,
        apps: options.apps,
        target: options.target ?? "",
        createdAt: new Date().toISOString(),
      };
      // A header torn by a kill as the journal was created: the journal of that run, empty.
      this.repaired = first === TORN_HEADER;
      if (!options.readOnly) {
        this.#fd = openSync(path, "w");
        this.#append(this.header);
      }
      return;
    }
    this.header = this.#readHeader(first, options);
    const text = readFileSync(path, "utf8");
    const lines = text.split("\n");
    // A run killed mid-write leaves a last line without its newline: cut off below.
    const torn = lines.pop() ?? "";
    for (let i = 1; i < lines.length; i++) {
      const entry = Object(this.#parse(lines[i]!, i + 1)) as Partial<JournalEntry>;
      if (
        !Number.isSafeInteger(entry.chunk) ||
        entry.chunk! < 0 ||
        !isCount(entry.ids, this.header.chunkSize) ||
        typeof entry.sha256 !== "string"
      ) {
        throw new JournalError(
          `${path} line ${i + 1} is not a journal entry: use a new journal file.`,
        );
      }
      const versions = this.confirmed.get(entry.chunk!) ?? new Set();
      versions.add(`${entry.ids}:${entry.sha256}`);
      this.confirmed.set(entry.chunk!, versions);
    }
    this.repaired = torn !== "";
    if (options.readOnly) return;
    if (this.repaired) truncateSync(path, Buffer.byteLength(text) - Buffer.byteLength(torn));
    this.#fd = openSync(path, "a");
  }

  /**
   * The first line, read alone (at most 4 KiB: a header is about 200 bytes): undefined for an
   * empty file, `TORN_HEADER` for the start of a header cut off before its newline.
   */
  #firstLine(): string | typeof TORN_HEADER | undefined {
    const fd = openSync(this.path, "r");
    try {
      const head = Buffer.alloc(4096);
      const length = readSync(fd, head, 0, head.length, 0);
      const text = head.subarray(0, length).toString("utf8");
      const end = text.indexOf("\n");
      if (end !== -1) return text.slice(0, end);
      if (text === "") return undefined;
      if (HEADER_START.startsWith(text) || text.startsWith(HEADER_START)) return TORN_HEADER;
      throw this.#notAJournal();
    } finally {
      closeSync(fd);
    }
  }

  #notAJournal(): JournalError {
    return new JournalError(
      `${this.path} is not a batch-custom-data journal: give a new file (or the journal of this run). It was left as it is.`,
    );
  }

  #parse(line: string, number: number): unknown {
    try {
      return JSON.parse(line);
    } catch {
      throw new JournalError(
        `${this.path} line ${number} is not valid JSON: the journal is damaged; use a new journal file.`,
      );
    }
  }

  #readHeader(line: string, options: JournalOptions): JournalHeader {
    let header: Partial<JournalHeader>;
    try {
      header = Object(JSON.parse(line));
    } catch {
      throw this.#notAJournal();
    }
    if (header.journal !== "batch-custom-data") throw this.#notAJournal();
    if (header.version !== JOURNAL_VERSION) {
      throw new JournalError(
        `${this.path} is a version ${header.version} journal; this CLI reads version ${JOURNAL_VERSION}.`,
      );
    }
    const damaged = (field: string, rule: string) =>
      new JournalError(
        `${this.path} line 1: ${field} must be ${rule}; the header was changed since it was written: use a new journal file.`,
      );
    if (!isCount(header.chunkSize, MAX_IDS_PER_CALL)) {
      throw damaged("chunkSize", `a whole number from 1 to ${MAX_IDS_PER_CALL}`);
    }
    if (!isCount(header.apps)) throw damaged("apps", "a whole number from 1");
    if (typeof header.target !== "string" || !/^[0-9a-f]{32}$/.test(header.target)) {
      throw damaged("target", "32 hex digits");
    }
    if (
      options.target !== undefined &&
      (header.target !== options.target || header.apps !== options.apps)
    ) {
      throw new JournalError(
        `${this.path} was written for other app keys or another base URL (BATCH_API_KEY, BATCH_BASE_URL): resume with the same configuration, or use a new journal file.`,
      );
    }
    if (options.chunkSize !== undefined && options.chunkSize !== header.chunkSize) {
      throw new JournalError(
        `${this.path} was written with --chunk-size ${header.chunkSize}: resume with the same chunk size (or leave --chunk-size out).`,
      );
    }
    return header as JournalHeader;
  }

  get chunkSize(): number {
    return this.header.chunkSize;
  }

  /** Chunks and ids the journal holds as confirmed (a chunk counted once). */
  get size(): { chunks: number; ids: number } {
    let ids = 0;
    for (const versions of this.confirmed.values()) {
      ids += Number([...versions][0]!.split(":")[0]);
    }
    return { chunks: this.confirmed.size, ids };
  }

  /** Whether an earlier run confirmed this very chunk (same index, same ids). */
  isConfirmed(index: number, ids: readonly string[]): boolean {
    const versions = this.confirmed.get(index);
    return versions?.has(`${ids.length}:${chunkHash(ids)}`) ?? false;
  }

  /** Appends a confirmed chunk and flushes it to disk before returning. */
  record(
    index: number,
    ids: readonly string[],
    tokens: readonly { app: string; token: string }[],
  ): void {
    const entry: JournalEntry = {
      chunk: index,
      ids: ids.length,
      sha256: chunkHash(ids),
      tokens: tokens.map(({ app, token }) => ({ app, token })),
      at: new Date().toISOString(),
    };
    this.#append(entry);
    this.written++;
  }

  #append(value: object): void {
    if (this.#fd === undefined) return;
    const line = Buffer.from(`${JSON.stringify(value)}\n`);
    let offset = 0;
    while (offset < line.length) offset += writeSync(this.#fd, line, offset);
    fsyncSync(this.#fd);
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}
