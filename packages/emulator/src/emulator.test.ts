import { afterEach, describe, expect, it } from "vitest";
import { API_KEY, AUTH, answer, closeAll, del, emulator, errorOf } from "../test/helpers.js";
import { createEmulator, type EmulatorOptions } from "./emulator.js";
import { FAULT_KINDS } from "./faults.js";

afterEach(closeAll);

const URL_SINGLE = "http://emulator.test/1.0/API_KEY/data/users/user1";

describe("fetch", () => {
  it("works unbound, with a string, a URL or a Request", async () => {
    const e = emulator();
    const { fetch } = e;
    expect((await fetch(URL_SINGLE, { method: "DELETE", headers: AUTH })).status).toBe(200);
    expect((await fetch(new URL(URL_SINGLE), { method: "DELETE", headers: AUTH })).status).toBe(
      200,
    );
    expect((await fetch(new Request(URL_SINGLE, { method: "DELETE", headers: AUTH }))).status).toBe(
      200,
    );
    expect((await fetch(new Request(URL_SINGLE), { method: "DELETE", headers: AUTH })).status).toBe(
      200,
    );
    const call = fetch.call(undefined, URL_SINGLE, { method: "DELETE", headers: AUTH });
    expect((await call).status).toBe(200);
  });

  it("rejects at once with an already aborted signal", async () => {
    const e = emulator();
    const controller = new AbortController();
    controller.abort();
    await expect(
      e.fetch(URL_SINGLE, { method: "DELETE", headers: AUTH, signal: controller.signal }),
    ).rejects.toMatchObject({
      name: "AbortError",
    });
  });

  it("rejects like a refused connection once closed", async () => {
    const e = emulator();
    e.close();
    e.close();
    expect(e.closed()).toBe(true);
    const error = await e
      .fetch(URL_SINGLE, { method: "DELETE", headers: AUTH })
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).cause).toMatchObject({ code: "ECONNREFUSED" });
  });
});

describe("options", () => {
  it("defaults to API.md's example keys", async () => {
    const e = emulator();
    expect(e.apiKeys()).toEqual(["API_KEY"]);
    expect(e.restApiKey).toBe("REST_API_KEY");
  });

  it("merges apps, apiKeys and restricted apps", () => {
    const e = emulator({ apps: ["A"], apiKeys: ["B", "A"], restrictedApps: ["C"] });
    expect(e.apiKeys()).toEqual(["A", "B", "C"]);
  });

  it.each([
    [{ restApiKey: "" }, /restApiKey/],
    [{ apps: [""] }, /non-empty/],
    [{ processingDelayMs: -1 }, /processingDelayMs/],
    [{ maxBodyBytes: Number.NaN }, /maxBodyBytes/],
    [{ seed: 1.5 }, /seed/],
    [{ faults: { serverError: 3 } }, /between 0 and 1/],
  ])("refuses %j", (options, message) => {
    expect(() => createEmulator(options)).toThrow(message);
  });
});

describe("typed API", () => {
  it("seeds, inspects, flushes and resets", async () => {
    const e = emulator({ processingDelayMs: 60_000, apps: ["A", "B"] });
    expect(e.seed("A", 3)).toBe(3);
    expect(e.seed("B", ["x", "y"])).toBe(2);
    expect(e.users("A", { offset: 1, limit: 1 })).toEqual(["user-2"]);
    expect(() => e.seed("C", 1)).toThrow(/unknown API key/);
    const r = await del(e, "/1.0/A/data/users/user-1");
    const token = ((await r.json()) as { token: string }).token;
    expect(e.pending()).toBe(1);
    expect(e.transaction(token)?.status).toBe("pending");
    expect(e.flush()).toBe(1);
    expect(e.transaction(token)?.status).toBe("done");
    expect(e.count("A")).toBe(2);
    e.setFaults({ serverError: 1 });
    e.reset();
    expect(e.count("A")).toBe(0);
    expect(e.count("B")).toBe(0);
    expect(e.transaction(token)).toBeUndefined();
    expect(e.faults()).toEqual({ retryAfterSeconds: 1, seed: 1 });
    expect(e.log()).toEqual([]);
    expect(e.stats()).toEqual({
      requests: 0,
      accepted: 0,
      idsAccepted: 0,
      errors: 0,
      faults: 0,
      rateLimited: 0,
      statuses: {},
      pending: 0,
    });
    expect(e.timeline()).toEqual([]);
  });

  it("returns to the initial faults and seed on reset, so a run replays", async () => {
    const e = emulator({ seed: 123, faults: { serverError: 0.3, maintenance: 0.2 } });
    const statuses = async () => {
      const out: number[] = [];
      for (let i = 0; i < 40; i++) out.push((await del(e, "/1.0/API_KEY/data/users/u")).status);
      return out;
    };
    const first = await statuses();
    expect(new Set(first)).toEqual(new Set([200, 500, 503]));
    e.reset();
    expect(await statuses()).toEqual(first);
    const other = emulator({ seed: 123, faults: { serverError: 0.3, maintenance: 0.2 } });
    const again: number[] = [];
    for (let i = 0; i < 40; i++) again.push((await del(other, "/1.0/API_KEY/data/users/u")).status);
    expect(again).toEqual(first);
  });

  it("settles pending deletions", async () => {
    const e = emulator({ processingDelayMs: 300 });
    e.seed(API_KEY, ["user1"]);
    await del(e, "/1.0/API_KEY/data/users/user1");
    expect(e.hasData(API_KEY, "user1")).toBe(true);
    await e.settled();
    expect(e.hasData(API_KEY, "user1")).toBe(false);
  });
});

describe("faults, in process", () => {
  it("answers 500/1", async () => {
    const e = emulator({ faults: { failNext: { kind: "serverError" } } });
    expect(await answer(await del(e, "/1.0/API_KEY/data/users/u"))).toMatchObject({
      status: 500,
      body: errorOf(1),
    });
  });

  it("answers 503/2", async () => {
    const e = emulator();
    e.failNext("maintenance");
    const r = await answer(await del(e, "/1.0/API_KEY/data/users/u"));
    expect(r).toMatchObject({ status: 503, body: errorOf(2) });
    expect(r.headers.get("retry-after")).toBeNull();
  });

  it("answers 429/60 with Retry-After in seconds", async () => {
    const e = emulator({ faults: { tooManyRequests: 1, retryAfterSeconds: 3 } });
    const r = await answer(await del(e, "/1.0/API_KEY/data/users/u"));
    expect(r).toMatchObject({ status: 429, body: errorOf(60) });
    expect(r.headers.get("retry-after")).toBe("3");
  });

  it("answers an HTML 502 as a proxy does", async () => {
    const e = emulator();
    e.failNext("badGateway");
    const r = await del(e, "/1.0/API_KEY/data/users/u");
    expect(r.status).toBe(502);
    expect(r.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await r.text()).toMatch(/<h1>502 Bad Gateway<\/h1>/);
  });

  it("rejects with a TypeError on reset, as fetch does on a dropped connection", async () => {
    const e = emulator();
    e.failNext("reset");
    const error = await del(e, "/1.0/API_KEY/data/users/u").catch((err: unknown) => err);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).message).toBe("fetch failed");
    expect((error as TypeError).cause).toMatchObject({ code: "ECONNRESET" });
    expect(e.log()[0]).toMatchObject({ status: null, fault: "reset" });
    expect((await del(e, "/1.0/API_KEY/data/users/u")).status).toBe(200);
  });

  it("hangs until the request's signal aborts, then rejects with an AbortError", async () => {
    const e = emulator();
    e.failNext("hang");
    const controller = new AbortController();
    let settled = false;
    const pending = del(e, "/1.0/API_KEY/data/users/u", { signal: controller.signal }).finally(
      () => {
        settled = true;
      },
    );
    await new Promise((r) => setTimeout(r, 30));
    expect(settled).toBe(false);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
  });

  it("hangs with AbortSignal.timeout, rejecting with its TimeoutError", async () => {
    const e = emulator({ faults: { hang: 1 } });
    await expect(
      del(e, "/1.0/API_KEY/data/users/u", { signal: AbortSignal.timeout(20) }),
    ).rejects.toMatchObject({
      name: "TimeoutError",
    });
  });

  it("releases a hanging request when the emulator closes", async () => {
    const e = createEmulator({ faults: { hang: 1 } });
    const pending = del(e, "/1.0/API_KEY/data/users/u");
    await new Promise((r) => setTimeout(r, 10));
    e.close();
    await expect(pending).rejects.toBeInstanceOf(TypeError);
  });

  it("adds latency, and aborting during it rejects", async () => {
    const e = emulator({ faults: { latencyMs: 60 } });
    const started = Date.now();
    expect((await del(e, "/1.0/API_KEY/data/users/u")).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
    e.seed(API_KEY, ["kept"]);
    await expect(
      del(e, "/1.0/API_KEY/data/users/kept", { signal: AbortSignal.timeout(10) }),
    ).rejects.toMatchObject({ name: "TimeoutError" });
    e.flush();
    expect(e.hasData(API_KEY, "kept")).toBe(true);
  });

  it("answers 503 with Retry-After during a maintenance window", async () => {
    let now = 1_000;
    const e = emulator({
      now: () => now,
      faults: { maintenanceWindow: { start: 2_000, end: 12_000 } },
    });
    expect((await del(e, "/1.0/API_KEY/data/users/u")).status).toBe(200);
    now = 2_500;
    const r = await answer(await del(e, "/1.0/API_KEY/data/users/u"));
    expect(r).toMatchObject({ status: 503, body: errorOf(2) });
    expect(r.headers.get("retry-after")).toBe("10");
    now = 12_000;
    expect((await del(e, "/1.0/API_KEY/data/users/u")).status).toBe(200);
  });

  it("never changes state: a faulted request deletes nothing", async () => {
    for (const kind of FAULT_KINDS) {
      const e = emulator();
      e.seed(API_KEY, ["user1", "user2"]);
      e.failNext(kind, 2);
      const controller = new AbortController();
      const single = del(e, "/1.0/API_KEY/data/users/user1", { signal: controller.signal }).catch(
        () => undefined,
      );
      const many = del(e, "/1.0/API_KEY/data/users", {
        body: '["user1","user2"]',
        signal: controller.signal,
      }).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 10));
      controller.abort();
      await Promise.all([single, many]);
      e.flush();
      expect(e.count(API_KEY), kind).toBe(2);
      expect(e.stats().accepted, kind).toBe(0);
      expect(e.stats().faults, kind).toBe(2);
    }
  });

  it("does not fault the /_emulator/ routes", async () => {
    const e = emulator({ faults: { serverError: 1 } });
    const r = await e.fetch("http://emulator.test/_emulator/health");
    expect(r.status).toBe(200);
    expect(e.stats().requests).toBe(0);
  });
});

describe("cors option", () => {
  it("answers preflights and adds headers when enabled", async () => {
    const e = emulator({ cors: true });
    const pre = await e.fetch(URL_SINGLE, { method: "OPTIONS" });
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-headers")).toMatch(/X-Authorization/);
    const r = await e.fetch(URL_SINGLE, { method: "DELETE", headers: AUTH });
    expect(r.headers.get("access-control-allow-origin")).toBe("*");
    expect(
      (await e.fetch("http://emulator.test/_emulator/health")).headers.get(
        "access-control-allow-origin",
      ),
    ).toBe("*");
  });

  it("is off by default, like Batch", async () => {
    const e = emulator();
    expect((await e.fetch(URL_SINGLE, { method: "OPTIONS" })).status).toBe(404);
    expect(
      (await del(e, "/1.0/API_KEY/data/users/u")).headers.get("access-control-allow-origin"),
    ).toBeNull();
  });
});

describe("cors with a list of origins", () => {
  const APP_ORIGIN = "http://127.0.0.1:5173";
  const preflight = (e: ReturnType<typeof emulator>, origin?: string) =>
    e.fetch("http://emulator.test/1.0/API_KEY/data/users", {
      method: "OPTIONS",
      headers: {
        ...(origin ? { origin } : {}),
        "access-control-request-method": "DELETE",
        "access-control-request-headers": "content-type,x-authorization",
      },
    });

  it("answers an allowed origin's preflight: its origin echoed, DELETE and the client's headers allowed", async () => {
    const e = emulator({ cors: [APP_ORIGIN, "https://app.example"] });
    const pre = await preflight(e, APP_ORIGIN);
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-origin")).toBe(APP_ORIGIN);
    expect(pre.headers.get("vary")).toMatch(/Origin/);
    expect(pre.headers.get("access-control-allow-methods")).toMatch(/\bDELETE\b/);
    const allowed = pre.headers.get("access-control-allow-headers")!.toLowerCase().split(/, */);
    expect(allowed).toEqual(expect.arrayContaining(["content-type", "x-authorization"]));
    const other = await preflight(e, "https://app.example");
    expect(other.headers.get("access-control-allow-origin")).toBe("https://app.example");
    expect(e.stats().requests).toBe(0);
  });

  it("echoes an allowed origin on answers, with Vary: Origin and Retry-After exposed", async () => {
    const e = emulator({ cors: [APP_ORIGIN] });
    e.failNext("tooManyRequests");
    for (const status of [429, 200]) {
      const r = await del(e, "/1.0/API_KEY/data/users/u", { headers: { origin: APP_ORIGIN } });
      expect(r.status).toBe(status);
      expect(r.headers.get("access-control-allow-origin")).toBe(APP_ORIGIN);
      expect(r.headers.get("access-control-expose-headers")).toMatch(/Retry-After/);
      expect(r.headers.get("vary")).toBe("Origin");
    }
  });

  it("gives other origins nothing: no CORS header, their preflight routed as OPTIONS (404)", async () => {
    const e = emulator({ cors: [APP_ORIGIN] });
    for (const origin of ["http://127.0.0.1:5174", "https://127.0.0.1:5173", "null", undefined]) {
      const pre = await preflight(e, origin);
      expect(pre.status, origin).toBe(404);
      expect(pre.headers.get("access-control-allow-origin"), origin).toBeNull();
      expect(pre.headers.get("access-control-allow-methods"), origin).toBeNull();
      const r = await del(e, "/1.0/API_KEY/data/users/u", {
        headers: origin ? { origin } : {},
      });
      expect(r.status).toBe(200);
      expect(r.headers.get("access-control-allow-origin"), origin).toBeNull();
      // The answer still varies by Origin, so no cache hands it to an allowed origin.
      expect(r.headers.get("vary")).toBe("Origin");
    }
  });

  it('takes "*" in the list as any origin', async () => {
    const e = emulator({ cors: ["*"] });
    const pre = await preflight(e, "http://anything.test");
    expect(pre.headers.get("access-control-allow-origin")).toBe("*");
  });

  it.each([
    [
      "http://127.0.0.1:5173/",
      /"http:\/\/127.0.0.1:5173\/" is not an origin.*\(http:\/\/127.0.0.1:5173\?\)/,
    ],
    ["http://localhost:80", /\(http:\/\/localhost\?\)/],
    ["HTTP://App.Example", /\(http:\/\/app.example\?\)/],
    ["127.0.0.1:5173", /is not an origin/],
    ["", /is not an origin/],
    ["null", /is not an origin/],
  ])("refuses %j, saying how to write it", (origin, message) => {
    expect(() => createEmulator({ cors: [origin] })).toThrow(message);
  });

  it("treats an empty list as off", async () => {
    const e = emulator({ cors: [] });
    const r = await e.fetch(URL_SINGLE, {
      method: "OPTIONS",
      headers: { origin: "http://a.test" },
    });
    expect(r.status).toBe(404);
    expect(r.headers.get("vary")).toBeNull();
  });
});

describe("rate limit", () => {
  function clocked(rateLimit: EmulatorOptions["rateLimit"], extra: EmulatorOptions = {}) {
    const clock = { t: 1_700_000_000_000 };
    const e = emulator({ rateLimit, now: () => clock.t, ...extra });
    return { e, clock };
  }
  const call = async (e: ReturnType<typeof emulator>, headers: Record<string, string> = {}) => {
    const r = await del(e, "/1.0/API_KEY/data/users/u", { headers });
    return { status: r.status, retryAfter: r.headers.get("retry-after"), body: await r.json() };
  };

  it("answers 429/60 with Retry-After once calls exceed the rate, and recovers as time passes", async () => {
    const { e, clock } = clocked({ callsPerSecond: 2, burst: 2 });
    expect((await call(e)).status).toBe(200);
    expect((await call(e)).status).toBe(200);
    expect(await call(e)).toEqual({ status: 429, retryAfter: "1", body: errorOf(60) });
    clock.t += 499;
    expect((await call(e)).status).toBe(429);
    clock.t += 1;
    expect((await call(e)).status).toBe(200);
    expect((await call(e)).status).toBe(429);
    // A long pause refills the bucket to its burst, not beyond.
    clock.t += 60_000;
    expect([await call(e), await call(e), await call(e)].map((r) => r.status)).toEqual([
      200, 200, 429,
    ]);
  });

  it("rounds Retry-After up to whole seconds for slow rates", async () => {
    const { e, clock } = clocked({ callsPerSecond: 0.25 });
    expect((await call(e)).status).toBe(200);
    expect((await call(e)).retryAfter).toBe("4");
    clock.t += 1000;
    expect((await call(e)).retryAfter).toBe("3");
  });

  it("takes a bare number as calls per second, with one second's worth of burst", async () => {
    const { e } = clocked(3);
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await call(e)).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
  });

  it("counts 429s in stats and in the timeline, second by second", async () => {
    const { e, clock } = clocked({ callsPerSecond: 1, burst: 1 });
    await call(e);
    await call(e);
    clock.t += 1000;
    await call(e);
    await call(e);
    await call(e);
    expect(e.stats()).toMatchObject({
      requests: 5,
      accepted: 2,
      errors: 3,
      rateLimited: 3,
      statuses: { "200": 2, "429": 3 },
    });
    expect(e.timeline()).toEqual([
      {
        at: 1_700_000_000_000,
        requests: 2,
        accepted: 1,
        idsAccepted: 1,
        errors: 1,
        tooManyRequests: 1,
        rateLimited: 1,
      },
      {
        at: 1_700_000_001_000,
        requests: 3,
        accepted: 1,
        idsAccepted: 1,
        errors: 2,
        tooManyRequests: 2,
        rateLimited: 2,
      },
    ]);
  });

  it("limits only authorized calls to Batch's routes: not refusals, admin routes nor preflights", async () => {
    const { e } = clocked({ callsPerSecond: 1, burst: 1 }, { cors: true });
    expect((await call(e, { "x-authorization": "WRONG" })).status).toBe(401);
    expect(
      (await e.fetch("http://emulator.test/1.0/API_KEY/nope", { method: "DELETE" })).status,
    ).toBe(404);
    expect((await e.fetch(URL_SINGLE, { method: "OPTIONS" })).status).toBe(204);
    expect((await e.fetch("http://emulator.test/_emulator/health")).status).toBe(200);
    expect((await call(e)).status).toBe(200);
    expect((await call(e)).status).toBe(429);
  });

  it("comes before faults: a limited call draws no fault", async () => {
    const { e } = clocked({ callsPerSecond: 1, burst: 1 }, { faults: { serverError: 1 } });
    expect((await call(e)).status).toBe(500);
    expect((await call(e)).status).toBe(429);
    expect(e.stats()).toMatchObject({ faults: 1, rateLimited: 1 });
  });

  it("is full again after reset()", async () => {
    const { e } = clocked({ callsPerSecond: 1, burst: 1 });
    await call(e);
    expect((await call(e)).status).toBe(429);
    e.reset();
    expect((await call(e)).status).toBe(200);
    expect(e.timeline()).toHaveLength(1);
  });

  it.each([
    [0, /callsPerSecond must be a number > 0/],
    [-1, /callsPerSecond/],
    [Number.POSITIVE_INFINITY, /callsPerSecond/],
    [{ callsPerSecond: 5, burst: 0 }, /burst must be a whole number/],
    [{ callsPerSecond: 5, burst: 1.5 }, /burst/],
  ])("refuses %j", (rateLimit, message) => {
    expect(() => createEmulator({ rateLimit })).toThrow(message);
  });
});

describe("stats", () => {
  it("counts a request on arrival, before latency or a hang lets it answer", async () => {
    const e = emulator({ faults: { latencyMs: 60_000 } });
    const controller = new AbortController();
    const call = del(e, "/1.0/API_KEY/data/users/u", { signal: controller.signal }).catch(
      (error: unknown) => error,
    );
    await new Promise((r) => setTimeout(r, 10));
    expect(e.stats()).toMatchObject({ requests: 1, accepted: 0, errors: 0 });
    expect(e.timeline()).toMatchObject([{ requests: 1, accepted: 0, errors: 0 }]);
    controller.abort();
    await call;
    expect(e.stats()).toMatchObject({ requests: 1, errors: 1, statuses: { none: 1 } });
  });
});
