import { afterEach, describe, expect, it } from "vitest";
import { createEmulator } from "./emulator.js";
import { FAULT_KINDS } from "./faults.js";
import { API_KEY, AUTH, answer, closeAll, del, emulator, errorOf } from "./test-utils.js";

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
