// A scripted stand-in for the proxy, injected as the client's `fetch`: each call takes the
// next answer of its route ("METHOD /path"), and every request is kept for the assertions.
export interface Seen {
  method: string;
  path: string;
  search: string;
  headers: Headers;
  body: Uint8Array;
}

type Answer = Response | ((request: Request) => Response | Promise<Response>) | "hang";

export function fakeProxy(routes: Record<string, Answer[]>) {
  const seen: Seen[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const key = `${request.method} ${url.pathname}`;
    seen.push({
      method: request.method,
      path: url.pathname,
      search: url.search,
      headers: request.headers,
      body: new Uint8Array(await request.arrayBuffer()),
    });
    const queue = routes[key];
    const answer = queue && (queue.length > 1 ? queue.shift()! : queue[0]!);
    if (!answer) return json(404, { error: { code: "NOT_FOUND", message: `No route ${key}.` } });
    if (answer === "hang") {
      return new Promise((_, reject) =>
        request.signal.addEventListener("abort", () => reject(request.signal.reason)),
      );
    }
    return typeof answer === "function" ? answer(request) : answer.clone();
  };
  return { fetch: fetch as typeof globalThis.fetch, seen };
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

export const proxyError = (status: number, code: string, message: string, extra = {}) =>
  json(status, { error: { code, message, ...extra } });

export const text = (body: Uint8Array) => new TextDecoder().decode(body);

// biome-ignore lint/suspicious/noExplicitAny: tests read an error's fields loosely, as a caller's code would
export type Loose = any;

/** What `promise` rejects with (and a failure if it resolves). */
export async function caught(promise: Promise<unknown>): Promise<Loose> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}
