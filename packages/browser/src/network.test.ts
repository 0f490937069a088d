// In Chromium, over real HTTP on 127.0.0.1 (servers from test/servers.ts): what a page sees
// when the proxy refuses its origin (CORS), is down, or the browser is offline. The browser
// gives the page the same "Failed to fetch" for all three; the client says which it was.
import { describe, expect, inject, it } from "vitest";
import { commands } from "vitest/browser";
import { BatchNetworkError, BatchProxyError, createProxyClient } from "./index.js";
import { caught, type Loose } from "./test-utils.js";

const TOKEN = "user-token-5ecret-0123456789";
const proxyUrl = inject("proxyUrl");
const downUrl = inject("downUrl");

const noSecret = (error: Loose) => {
  const printed = `${error.message} ${String(error)} ${JSON.stringify(error)} ${error.stack}`;
  expect(printed).not.toContain(TOKEN);
};

describe("over the network", () => {
  it("calls a proxy that allows the page's origin (preflight, bearer token)", async () => {
    const client = createProxyClient({ url: `${proxyUrl}/open`, token: TOKEN });
    await expect(client.deleteMe()).resolves.toEqual({
      tokens: [{ app: "ios", token: "tok-ios" }],
    });
  });

  it("says the proxy refused the page's origin (CORS), naming the origin to allow", async () => {
    const client = createProxyClient({ url: `${proxyUrl}/closed`, token: TOKEN, retry: false });
    const error = await caught(client.deleteMe());
    expect(error).toBeInstanceOf(BatchNetworkError);
    expect(error.message).toMatch(
      /is up, but the browser refused to let this page read its answer/,
    );
    expect(error.message).toContain(`allow this page's origin (${location.origin})`);
    expect(error.message).toMatch(/ALLOWED_ORIGINS/);
    expect(error).toMatchObject({ retryable: true, attempts: 1 });
    noSecret(error);
  });

  it("says the proxy could not be reached when it is down", async () => {
    const client = createProxyClient({ url: downUrl, token: TOKEN, retry: false });
    const error = await caught(client.deleteMe());
    expect(error).toBeInstanceOf(BatchNetworkError);
    expect(error.message).toMatch(
      /^The proxy at http:\/\/127\.0\.0\.1:\d+ could not be reached: it may be down/,
    );
    expect(error.message).not.toMatch(/CORS/);
    noSecret(error);
  });

  it("retries a proxy that is down (idempotent calls), then says so", async () => {
    const client = createProxyClient({
      url: downUrl,
      token: TOKEN,
      retry: { limit: 1, backoffLimit: 5 },
    });
    const error = await caught(client.getJob("job-1"));
    expect(error).toMatchObject({ attempts: 2, request: { method: "GET" } });
    expect(error.message).toMatch(/could not be reached/);
    expect(error.message).toMatch(/, attempt 2\]$/);
  });

  it("says the browser is offline (the built package, in a context taken offline)", async () => {
    const outcome = await commands.deleteMeOffline(`${proxyUrl}/page/`, `${proxyUrl}/open`, TOKEN);
    expect(outcome).toMatchObject({ ok: false, onLine: false, name: "BatchNetworkError" });
    expect(outcome.message).toMatch(/^The browser is offline: check the network connection/);
    expect(outcome.message).not.toContain(TOKEN);
  });

  it("reports a redirect without following it", async () => {
    const client = createProxyClient({ url: `${proxyUrl}/open`, token: TOKEN });
    const error = await caught(client.getJob("redirect"));
    expect(error).toBeInstanceOf(BatchProxyError);
    expect(error.message).toMatch(/a redirect, and a deletion client never follows one/);
  });
});
