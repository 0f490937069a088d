/**
 * The emulated data: per app (API key), the users that have custom data; the transactions
 * (one per accepted call) and the queue that processes them after `processingDelayMs`.
 * Until a transaction is processed its users' data is still there, as with the real API.
 * Processing is O(ids); one timer serves the whole queue.
 */

export type TransactionStatus = "pending" | "done";

export interface TransactionInfo {
  readonly token: string;
  readonly status: TransactionStatus;
  /** "single" for `DELETE .../users/{id}`, "bulk" for `DELETE .../users`. */
  readonly kind: "single" | "bulk";
  /** Ids in the call, duplicates included. */
  readonly ids: number;
  /** Users whose data the processing removed (once done). */
  readonly deleted: number | null;
  readonly acceptedAt: number;
  readonly processedAt: number | null;
}

interface Transaction {
  token: string;
  kind: "single" | "bulk";
  app: Set<string>;
  ids: readonly string[] | null;
  count: number;
  deleted: number | null;
  acceptedAt: number;
  dueAt: number;
  processedAt: number | null;
}

export interface SeedOptions {
  /** Prefix of generated ids when seeding a count (default `"user-"`). */
  readonly prefix?: string;
  /** First number of generated ids (default 1): `user-1` … `user-N`. */
  readonly start?: number;
}

export class Store {
  readonly #apps = new Map<string, Set<string>>();
  readonly #transactions = new Map<string, Transaction>();
  #queue: Transaction[] = [];
  #head = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerDue = Number.POSITIVE_INFINITY;
  #waiters: (() => void)[] = [];
  #closed = false;

  constructor(
    apiKeys: readonly string[],
    readonly processingDelayMs: number,
    readonly transactionLimit: number,
  ) {
    for (const key of apiKeys) this.#apps.set(key, new Set());
  }

  get apiKeys(): string[] {
    return [...this.#apps.keys()];
  }

  hasApp(apiKey: string): boolean {
    return this.#apps.has(apiKey);
  }

  /** Adds users with custom data. Returns how many were not there yet. */
  seed(apiKey: string, idsOrCount: Iterable<string> | number, options: SeedOptions = {}): number {
    const app = this.#apps.get(apiKey);
    if (!app) throw new Error("seed: unknown API key; list it in the emulator's `apps` option.");
    const before = app.size;
    if (typeof idsOrCount === "number") {
      if (!Number.isInteger(idsOrCount) || idsOrCount < 0) {
        throw new RangeError("seed: the count must be a whole number ≥ 0.");
      }
      const prefix = options.prefix ?? "user-";
      const start = options.start ?? 1;
      for (let i = 0; i < idsOrCount; i++) app.add(`${prefix}${start + i}`);
    } else {
      for (const id of idsOrCount) {
        if (typeof id !== "string" || id === "") {
          throw new TypeError("seed: user ids must be non-empty strings.");
        }
        app.add(id);
      }
    }
    return app.size - before;
  }

  hasData(apiKey: string, id: string): boolean {
    return this.#apps.get(apiKey)?.has(id) ?? false;
  }

  count(apiKey: string): number {
    return this.#apps.get(apiKey)?.size ?? 0;
  }

  /** The app's user ids, in seeding order, from `offset`, at most `limit` of them. */
  users(apiKey: string, offset = 0, limit = Number.POSITIVE_INFINITY): string[] {
    const out: string[] = [];
    const app = this.#apps.get(apiKey);
    if (!app) return out;
    let i = 0;
    for (const id of app) {
      if (out.length >= limit) break;
      if (i++ >= offset) out.push(id);
    }
    return out;
  }

  /** Records an accepted deletion; it is processed after `processingDelayMs`. */
  accept(apiKey: string, kind: "single" | "bulk", ids: readonly string[], now: number): string {
    const app = this.#apps.get(apiKey);
    if (!app) throw new Error("accept: unknown API key");
    const token = crypto.randomUUID();
    const tx: Transaction = {
      token,
      kind,
      app,
      ids,
      count: ids.length,
      deleted: null,
      acceptedAt: now,
      dueAt: now + this.processingDelayMs,
      processedAt: null,
    };
    this.#transactions.set(token, tx);
    if (this.#transactions.size > this.transactionLimit) {
      // Forget the oldest record (a pending one stays in the queue and is still processed).
      const oldest = this.#transactions.keys().next().value as string;
      this.#transactions.delete(oldest);
    }
    this.#queue.push(tx);
    this.#schedule();
    return token;
  }

  transaction(token: string): TransactionInfo | undefined {
    const tx = this.#transactions.get(token);
    if (!tx) return undefined;
    return {
      token: tx.token,
      status: tx.processedAt === null ? "pending" : "done",
      kind: tx.kind,
      ids: tx.count,
      deleted: tx.deleted,
      acceptedAt: tx.acceptedAt,
      processedAt: tx.processedAt,
    };
  }

  /** Transactions accepted and not yet processed. */
  get pending(): number {
    return this.#queue.length - this.#head;
  }

  /** Processes every pending transaction now. Returns how many were processed. */
  flush(now = Date.now()): number {
    return this.#process(Number.POSITIVE_INFINITY, now);
  }

  /** Resolves once nothing is pending (or the store is closed). */
  settled(): Promise<void> {
    if (this.pending === 0 || this.#closed) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Forgets every user, transaction and pending deletion. */
  reset(): void {
    for (const app of this.#apps.values()) app.clear();
    this.#transactions.clear();
    this.#queue = [];
    this.#head = 0;
    this.#clearTimer();
    this.#wake();
  }

  close(): void {
    this.#closed = true;
    this.#clearTimer();
    this.#wake();
  }

  #process(until: number, now: number): number {
    let processed = 0;
    while (this.#head < this.#queue.length) {
      const tx = this.#queue[this.#head]!;
      if (tx.dueAt > until) break;
      this.#head++;
      let deleted = 0;
      const app = tx.app;
      for (const id of tx.ids!) if (app.delete(id)) deleted++;
      tx.deleted = deleted;
      tx.ids = null;
      tx.processedAt = now;
      processed++;
    }
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    if (this.pending === 0) this.#wake();
    return processed;
  }

  #schedule(): void {
    if (this.#closed || this.pending === 0) return;
    const due = this.#queue[this.#head]!.dueAt;
    if (this.#timer !== undefined && this.#timerDue <= due) return;
    this.#clearTimer();
    this.#timerDue = due;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#timerDue = Number.POSITIVE_INFINITY;
        const now = Date.now();
        this.#process(now, now);
        this.#schedule();
      },
      Math.max(0, due - Date.now()),
    );
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerDue = Number.POSITIVE_INFINITY;
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  }
}
