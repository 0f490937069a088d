/**
 * Whether this code runs in a browser: a page, or one of a page's workers. openai-node's test
 * (a `window` with a `document`, and a `navigator`) finds pages; a page's workers have no
 * `window`, so they are found by their global scope and a browser's user agent, which Deno
 * (`Deno/…`), Node (`Node.js/…`), Bun and Cloudflare Workers do not send.
 */
export function isBrowserRuntime(): boolean {
  const g = globalThis as Record<string, unknown> & { navigator?: { userAgent?: unknown } };
  if (
    typeof g.window === "object" &&
    typeof g.document === "object" &&
    typeof g.navigator === "object"
  ) {
    return true;
  }
  const scope = g.WorkerGlobalScope;
  return (
    typeof scope === "function" &&
    globalThis instanceof scope &&
    /^Mozilla\//.test(String(g.navigator?.userAgent ?? ""))
  );
}
