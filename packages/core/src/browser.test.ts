// The browser guard, under Node with a browser's globals faked on globalThis (the real browsers
// are in tests/runtimes: Chromium refuses, Node, Deno and workerd do not).
import { afterEach, describe, expect, it, vi } from "vitest";
import { API_KEY, BASE, fakeFetch, REST_KEY, SECRETS } from "../test/helpers.js";
import { isBrowserRuntime, refuseInBrowser } from "./browser.js";
import { createClientFromEnv } from "./env.js";
import { BatchValidationError, createClient } from "./index.js";

const good = { apiKey: API_KEY, restApiKey: REST_KEY, baseUrl: BASE };
const ok = () => fakeFetch(() => Response.json({ token: "t-1" }));

/** A page's globals: a `window` with a `document`, and a `navigator`. */
function fakePage() {
  vi.stubGlobal("window", {});
  vi.stubGlobal("document", {});
  vi.stubGlobal("navigator", { userAgent: "Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0" });
}

/** A page's worker: no window, a WorkerGlobalScope that globalThis is an instance of. */
function fakePageWorker(userAgent: string) {
  vi.stubGlobal("window", undefined);
  vi.stubGlobal("document", undefined);
  vi.stubGlobal("navigator", { userAgent });
  const WorkerGlobalScope = () => {};
  Object.defineProperty(WorkerGlobalScope, Symbol.hasInstance, {
    value: (value: unknown) => value === globalThis,
  });
  vi.stubGlobal("WorkerGlobalScope", WorkerGlobalScope);
}

function thrown(fn: () => unknown): BatchValidationError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(BatchValidationError);
    return error as BatchValidationError;
  }
  throw new Error("expected a throw");
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("outside a browser (Node)", () => {
  it("detects none and makes a client without the opt-in", async () => {
    expect(isBrowserRuntime()).toBe(false);
    const fetch = ok();
    const { token } = await createClient({ ...good, fetch }).deleteUser("u1");
    expect(token).toBe("t-1");
  });

  it("tells the runtimes that are not browsers from a page: Deno 2, workerd, a bare window", () => {
    // Deno 2: a navigator, no window (and no WorkerGlobalScope in its main thread).
    vi.stubGlobal("navigator", { userAgent: "Deno/2.9.6" });
    expect(isBrowserRuntime()).toBe(false);
    // workerd: neither window nor document; its navigator says so.
    vi.stubGlobal("navigator", { userAgent: "Cloudflare-Workers" });
    expect(isBrowserRuntime()).toBe(false);
    // A `window` someone set on a server, without a document.
    vi.stubGlobal("window", {});
    expect(isBrowserRuntime()).toBe(false);
    // A Deno or Bun worker: a WorkerGlobalScope, not a browser's user agent.
    fakePageWorker("Deno/2.9.6");
    expect(isBrowserRuntime()).toBe(false);
    expect(() => createClient(good)).not.toThrow();
  });
});

describe("in a page (fake window and document)", () => {
  it("refuses createClient, naming the option and the proxy, quoting no key", () => {
    fakePage();
    expect(isBrowserRuntime()).toBe(true);
    const fetch = ok();
    const error = thrown(() => createClient({ ...good, fetch }));
    expect(error.option).toBe("dangerouslyAllowBrowser");
    expect(error.message).toMatch(/^createClient refused to run in a browser: it needs your Batch/);
    expect(error.message).toMatch(/anyone who opens it/);
    expect(error.message).toMatch(/proxy/);
    expect(error.message).toMatch(/createProxyClient from @batch-custom-data\/browser/);
    expect(error.message).toMatch(/pass dangerouslyAllowBrowser: true\.$/);
    const printed = [error.message, String(error), JSON.stringify(error), String(error.stack)];
    for (const secret of SECRETS) {
      for (const text of printed) {
        expect(text).not.toContain(secret);
        expect(text).not.toContain(encodeURIComponent(secret));
      }
    }
    expect(fetch.calls).toHaveLength(0);
  });

  it("refuses before checking anything else: bad keys, no options at all", () => {
    fakePage();
    for (const options of [{ apiKey: "", restApiKey: "" }, undefined, null, "x"]) {
      const error = thrown(() => createClient(options as never));
      expect(error.option).toBe("dangerouslyAllowBrowser");
    }
  });

  it("refuses createClientFromEnv before it reads a variable", () => {
    fakePage();
    const read: PropertyKey[] = [];
    const env = new Proxy(
      { BATCH_API_KEY: API_KEY, BATCH_REST_API_KEY: REST_KEY },
      {
        get(target, key) {
          read.push(key);
          return Reflect.get(target, key);
        },
      },
    );
    const error = thrown(() => createClientFromEnv(env));
    expect(error.message).toMatch(/^createClientFromEnv refused to run in a browser/);
    expect(error).toMatchObject({ option: "dangerouslyAllowBrowser" });
    expect(error.variable).toBeUndefined();
    expect(read).toEqual([]);
    expect(thrown(() => createClientFromEnv(null as never)).option).toBe("dangerouslyAllowBrowser");
  });

  it("only `true` opts in", () => {
    fakePage();
    for (const value of [false, "true", 1, {}]) {
      const options = { ...good, dangerouslyAllowBrowser: value as boolean };
      expect(thrown(() => createClient(options)).option).toBe("dangerouslyAllowBrowser");
    }
  });

  it("dangerouslyAllowBrowser: true makes a client that deletes; the option is not sent", async () => {
    fakePage();
    const fetch = ok();
    const client = createClient({ ...good, fetch, dangerouslyAllowBrowser: true });
    await client.deleteUser("u1");
    const env = { BATCH_API_KEY: API_KEY, BATCH_REST_API_KEY: REST_KEY, BATCH_BASE_URL: BASE };
    const fromEnv = createClientFromEnv(env, { fetch, dangerouslyAllowBrowser: true });
    await fromEnv.deleteUsers(["u2", "u3"]);
    expect(fetch.calls.map((c) => c.method)).toEqual(["DELETE", "DELETE"]);
    expect(JSON.stringify(fetch.calls)).not.toMatch(/dangerously/i);
  });

  it("checks the rest of the options once allowed", () => {
    fakePage();
    const error = thrown(() =>
      createClient({ ...good, restApiKey: "", dangerouslyAllowBrowser: true }),
    );
    expect(error.option).toBe("restApiKey");
    const fromEnv = thrown(() =>
      createClientFromEnv({ BATCH_API_KEY: API_KEY }, { dangerouslyAllowBrowser: true }),
    );
    expect(fromEnv.variable).toBe("BATCH_REST_API_KEY");
  });
});

describe("in a page's worker (no window)", () => {
  it("is told by its global scope and a browser's user agent, and refused", () => {
    fakePageWorker("Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0");
    expect(isBrowserRuntime()).toBe(true);
    expect(thrown(() => createClient(good)).option).toBe("dangerouslyAllowBrowser");
  });
});

describe("refuseInBrowser", () => {
  it("refuses wherever it is told it runs in a browser (a bundle built for pages)", () => {
    expect(isBrowserRuntime()).toBe(false);
    const error = thrown(() =>
      refuseInBrowser("createClient", { dangerouslyAllowBrowser: false }, true),
    );
    expect(error.message).toMatch(/^createClient refused to run in a browser/);
    expect(() =>
      refuseInBrowser("createClient", { dangerouslyAllowBrowser: true }, true),
    ).not.toThrow();
    expect(() => refuseInBrowser("createClient", undefined, false)).not.toThrow();
    expect(() => refuseInBrowser("createClient", undefined)).not.toThrow();
  });
});
