import { FREE_PLAN } from "./limits.js";

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

/** Thrown instead of making a subrequest the invocation has no budget left for. */
export class SubrequestBudgetError extends Error {
  override name = "SubrequestBudgetError";
}

export interface InvocationBudget {
  /** A fetch that counts each call, refuses one past the budget, and keeps at most
   *  `connections` open at once (the others wait for a free one). Call it unbound. */
  readonly fetch: Fetch;
  /** Counts a subrequest made another way (a Durable Object or Queue call); throws past the budget. */
  spend(count?: number): void;
  /** Subrequests this invocation may make. */
  readonly limit: number;
  /** Subrequests made (or spent) so far. */
  readonly used: number;
  /** The most connections that were open at once. */
  readonly peakConnections: number;
}

export interface BudgetOptions {
  /** Default 50 (free plan; 10,000 on the paid plan). */
  subrequests?: number;
  /** Default 6 (every plan). */
  connections?: number;
  /** The fetch to guard. Default: the global one, looked up per call. */
  fetch?: Fetch;
}

/**
 * One invocation's budgets, enforced: Cloudflare fails a subrequest past the 50th (free plan)
 * and queues connections past the 6th, and `wrangler dev` enforces neither, so a plan that is
 * wrong would only show in production. Make one per invocation.
 */
export function invocationBudget(options: BudgetOptions = {}): InvocationBudget {
  const limit = options.subrequests ?? FREE_PLAN.subrequests;
  const connections = options.connections ?? FREE_PLAN.connections;
  const inner: Fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  let used = 0;
  let open = 0;
  let peak = 0;
  const waiting: (() => void)[] = [];

  const spend = (count = 1) => {
    if (used + count > limit) {
      throw new SubrequestBudgetError(
        `This invocation has used ${used} of its ${limit} subrequests: the call was not made.`,
      );
    }
    used += count;
  };
  const acquire = async () => {
    while (open >= connections) await new Promise<void>((resolve) => waiting.push(resolve));
    open++;
    peak = Math.max(peak, open);
  };
  const release = () => {
    open--;
    waiting.shift()?.();
  };

  const fetch: Fetch = async (input, init) => {
    spend();
    await acquire();
    let response: Response;
    try {
      response = await inner(input, init);
    } catch (error) {
      release();
      throw error;
    }
    return releasing(response, release);
  };

  return {
    fetch,
    spend,
    limit,
    get used() {
      return used;
    },
    get peakConnections() {
      return peak;
    },
  };
}

/** The connection stays open until its body is read or cancelled: release it then. */
function releasing(response: Response, release: () => void): Response {
  if (!response.body) {
    release();
    return response;
  }
  let released = false;
  const once = () => {
    if (!released) {
      released = true;
      release();
    }
  };
  const reader = response.body.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { value, done } = await reader.read();
        if (done) {
          once();
          controller.close();
        } else controller.enqueue(value);
      } catch (error) {
        once();
        controller.error(error);
      }
    },
    cancel(reason) {
      once();
      return reader.cancel(reason);
    },
  });
  const { status, statusText, headers } = response;
  return new Response(body, { status, statusText, headers });
}
