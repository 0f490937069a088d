/**
 * The guard that keeps the REST key out of web pages: a client holds it, and a page's code is
 * anyone's to read. `createClient` and `createClientFromEnv` call it before anything else.
 */
import { BatchValidationError } from "./errors.js";

/**
 * Whether this code runs in a browser: a page, or one of a page's workers. A page has a
 * `window` with a `document` and a `navigator` (openai-node's test); Deno 2 has a `navigator`
 * but no `window`, workerd neither `window` nor `document`. A page's workers have no `window`:
 * they are told by their global scope and a browser's user agent, which Deno (`Deno/…`), Node,
 * Bun and Cloudflare Workers do not send.
 */
export function isBrowserRuntime(): boolean {
  const g = globalThis as Record<string, unknown> & { navigator?: { userAgent?: unknown } };
  const scope = g.WorkerGlobalScope;
  return (
    (typeof g.window === "object" &&
      typeof g.document === "object" &&
      typeof g.navigator === "object") ||
    (typeof scope === "function" &&
      globalThis instanceof scope &&
      /^Mozilla\//.test(String(g.navigator?.userAgent)))
  );
}

/**
 * Throws a `BatchValidationError` (option `dangerouslyAllowBrowser`) when `inBrowser`, unless
 * `options.dangerouslyAllowBrowser` is `true`: `caller` would hold the REST key in a page.
 * `@batch-custom-data/browser`'s browser build passes `inBrowser: true`, whatever detection says.
 */
export function refuseInBrowser(
  caller: string,
  options: { readonly dangerouslyAllowBrowser?: boolean } | undefined,
  inBrowser: boolean = isBrowserRuntime(),
): void {
  if (inBrowser && Object(options).dangerouslyAllowBrowser !== true) {
    throw new BatchValidationError(
      `${caller} refused to run in a browser: it needs your Batch REST API key, and a key in a page can be read by anyone who opens it (the page's code, devtools, an extension) and then used to delete any user's data in your apps. Batch's API does not answer browsers anyway (no CORS). Keep the key on a server that deletes on the page's behalf: a proxy such as batch-custom-data's apps/worker-proxy, called with createProxyClient from @batch-custom-data/browser. If this code runs only where the key is safe (a test page on your machine, against the emulator), pass dangerouslyAllowBrowser: true.`,
      { option: "dangerouslyAllowBrowser" },
    );
  }
}
