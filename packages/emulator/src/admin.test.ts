import { afterEach, describe, expect, it } from "vitest";
import {
  API_KEY,
  answer,
  closeAll,
  del,
  emulator,
  errorOf,
  REST_API_KEY,
} from "../test/helpers.js";
import type { Emulator } from "./emulator.js";

afterEach(closeAll);

function admin(e: Emulator, method: string, path: string, body?: unknown, auth = REST_API_KEY) {
  return e
    .fetch(`http://emulator.test/_emulator${path}`, {
      method,
      headers: { "x-authorization": auth },
      ...(body === undefined
        ? {}
        : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    })
    .then(answer);
}

describe("/_emulator/", () => {
  it("serves health without auth", async () => {
    const e = emulator();
    expect(await admin(e, "GET", "/health", undefined, "")).toMatchObject({
      status: 200,
      body: { ok: true },
    });
  });

  it("guards every other route with the REST key", async () => {
    const e = emulator();
    for (const [method, path] of [
      ["GET", "/apps"],
      ["POST", "/apps/API_KEY/users"],
      ["GET", "/apps/API_KEY/users"],
      ["GET", "/log"],
      ["POST", "/reset"],
      ["PUT", "/faults"],
      ["GET", "/stats"],
      ["GET", "/nope"],
    ] as const) {
      expect(await admin(e, method, path, undefined, "WRONG"), path).toMatchObject({
        status: 401,
        body: errorOf(10),
      });
    }
  });

  it("answers 404/20 for an unknown admin route", async () => {
    expect(await admin(emulator(), "GET", "/nope")).toMatchObject({
      status: 404,
      body: errorOf(20),
    });
  });

  it("lists apps", async () => {
    const e = emulator({ apps: ["A"], restrictedApps: ["R"] });
    e.seed("A", 2);
    expect((await admin(e, "GET", "/apps")).body).toEqual({
      apps: [
        { apiKey: "A", users: 2, restricted: false },
        { apiKey: "R", users: 0, restricted: true },
      ],
    });
  });

  it("seeds users from an array, {ids} or {count}", async () => {
    const e = emulator();
    expect((await admin(e, "POST", "/apps/API_KEY/users", ["a", "b"])).body).toEqual({
      added: 2,
      users: 2,
    });
    expect((await admin(e, "POST", "/apps/API_KEY/users", { ids: ["b", "c"] })).body).toEqual({
      added: 1,
      users: 3,
    });
    expect((await admin(e, "POST", "/apps/API_KEY/users", { count: 2 })).body).toEqual({
      added: 2,
      users: 5,
    });
    expect(
      (await admin(e, "POST", "/apps/API_KEY/users", { count: 1, prefix: "p-", start: 7 })).body,
    ).toEqual({
      added: 1,
      users: 6,
    });
    expect(e.users(API_KEY)).toEqual(["a", "b", "c", "user-1", "user-2", "p-7"]);
  });

  it("refuses bad seeds", async () => {
    const e = emulator();
    expect(await admin(e, "POST", "/apps/API_KEY/users")).toMatchObject({
      status: 400,
      body: errorOf(30),
    });
    expect(await admin(e, "POST", "/apps/API_KEY/users", "nope")).toMatchObject({
      status: 400,
      body: errorOf(32),
    });
    for (const body of [
      {},
      [1],
      { ids: [""] },
      { count: -1 },
      { count: 1, prefix: 3 },
      { count: 1e9 },
    ]) {
      expect(
        await admin(e, "POST", "/apps/API_KEY/users", body),
        JSON.stringify(body),
      ).toMatchObject({
        status: 400,
        body: errorOf(31),
      });
    }
    expect(await admin(e, "POST", "/apps/OTHER/users", ["a"])).toMatchObject({
      status: 404,
      body: errorOf(20),
    });
  });

  it("lists and checks users", async () => {
    const e = emulator();
    e.seed(API_KEY, ["a", "b/c", "d"]);
    expect((await admin(e, "GET", "/apps/API_KEY/users")).body).toEqual({
      users: 3,
      offset: 0,
      ids: ["a", "b/c", "d"],
    });
    expect((await admin(e, "GET", "/apps/API_KEY/users?offset=1&limit=1")).body).toEqual({
      users: 3,
      offset: 1,
      ids: ["b/c"],
    });
    expect(await admin(e, "GET", "/apps/API_KEY/users?limit=-1")).toMatchObject({
      status: 400,
      body: errorOf(31),
    });
    expect((await admin(e, "GET", "/apps/API_KEY/users/b%2Fc")).body).toEqual({ hasData: true });
    expect((await admin(e, "GET", "/apps/API_KEY/users/zz")).body).toEqual({ hasData: false });
    expect(await admin(e, "GET", "/apps/API_KEY/users/%ZZ")).toMatchObject({
      status: 400,
      body: errorOf(31),
    });
    expect(await admin(e, "GET", "/apps/NOPE/users")).toMatchObject({
      status: 404,
      body: errorOf(20),
    });
  });

  it("shows transactions pending then done, and flushes", async () => {
    const e = emulator({ processingDelayMs: 60_000 });
    e.seed(API_KEY, ["a", "b"]);
    const r = await del(e, "/1.0/API_KEY/data/users", { body: '["a","b","a"]' });
    const { token } = (await r.json()) as { token: string };
    expect((await admin(e, "GET", `/transactions/${token}`)).body).toMatchObject({
      token,
      status: "pending",
      kind: "bulk",
      ids: 3,
      deleted: null,
    });
    expect((await admin(e, "GET", "/stats")).body).toMatchObject({
      accepted: 1,
      idsAccepted: 3,
      pending: 1,
    });
    expect((await admin(e, "POST", "/flush")).body).toEqual({ processed: 1 });
    expect((await admin(e, "GET", `/transactions/${token}`)).body).toMatchObject({
      status: "done",
      deleted: 2,
    });
    expect(await admin(e, "GET", "/transactions/nope")).toMatchObject({
      status: 404,
      body: errorOf(20),
    });
  });

  it("sets, queues, shows and clears faults", async () => {
    const e = emulator();
    expect(
      await admin(e, "PUT", "/faults", { tooManyRequests: 1, retryAfterSeconds: 2 }),
    ).toMatchObject({
      status: 200,
      body: { tooManyRequests: 1, retryAfterSeconds: 2 },
    });
    const limited = await del(e, "/1.0/API_KEY/data/users/u");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("2");
    expect((await admin(e, "DELETE", "/faults")).body).toEqual({ retryAfterSeconds: 1, seed: 1 });
    expect(
      (await admin(e, "POST", "/faults/next", { kind: "serverError", count: 2 })).body,
    ).toMatchObject({
      failNext: [{ kind: "serverError", count: 2 }],
    });
    expect((await admin(e, "GET", "/faults")).body).toMatchObject({
      failNext: [{ kind: "serverError", count: 2 }],
    });
    expect((await del(e, "/1.0/API_KEY/data/users/u")).status).toBe(500);
    expect((await del(e, "/1.0/API_KEY/data/users/u")).status).toBe(500);
    expect((await del(e, "/1.0/API_KEY/data/users/u")).status).toBe(200);
    expect((await admin(e, "POST", "/faults/next", { kind: "reset" })).status).toBe(200);
    await expect(del(e, "/1.0/API_KEY/data/users/u")).rejects.toBeInstanceOf(TypeError);
  });

  it("sets a maintenance window with ISO dates", async () => {
    const e = emulator();
    const start = new Date(Date.now() - 1000).toISOString();
    const end = new Date(Date.now() + 60_000).toISOString();
    expect((await admin(e, "PUT", "/faults", { maintenanceWindow: { start, end } })).status).toBe(
      200,
    );
    const r = await del(e, "/1.0/API_KEY/data/users/u");
    expect(r.status).toBe(503);
    expect(Number(r.headers.get("retry-after"))).toBeGreaterThan(50);
  });

  it("refuses bad fault settings", async () => {
    const e = emulator();
    expect(await admin(e, "PUT", "/faults", { serverError: 5 })).toMatchObject({
      status: 400,
      body: errorOf(31),
    });
    expect(await admin(e, "PUT", "/faults", "{")).toMatchObject({ status: 400, body: errorOf(32) });
    expect(await admin(e, "PUT", "/faults")).toMatchObject({ status: 400, body: errorOf(30) });
    expect(await admin(e, "POST", "/faults/next", { kind: "boom" })).toMatchObject({
      status: 400,
      body: errorOf(31),
    });
    expect(await admin(e, "POST", "/faults/next", { kind: "hang", count: 1.5 })).toMatchObject({
      status: 400,
      body: errorOf(31),
    });
  });

  it("shows and clears the request log, resets everything", async () => {
    const e = emulator();
    e.seed(API_KEY, 3);
    await del(e, "/1.0/API_KEY/data/users/user-1");
    const log = await admin(e, "GET", "/log");
    expect(log.body).toMatchObject({
      entries: [{ method: "DELETE", path: "/1.0/***/data/users/user-1", status: 200 }],
    });
    expect((await admin(e, "DELETE", "/log")).body).toEqual({ ok: true });
    expect((await admin(e, "GET", "/log")).body).toEqual({ entries: [] });
    expect((await admin(e, "POST", "/reset")).body).toEqual({ ok: true });
    expect(e.count(API_KEY)).toBe(0);
  });

  it("caps admin bodies too", async () => {
    const e = emulator({ maxBodyBytes: 10 });
    expect(await admin(e, "POST", "/apps/API_KEY/users", ["aaaaaaaaaaaaaaaa"])).toMatchObject({
      status: 413,
      body: errorOf(31),
    });
  });
});

describe("/_emulator/stats and /_emulator/timeline", () => {
  it("count answers by status and second, 429s from the rate limit apart", async () => {
    let t = 5_000;
    const e = emulator({ rateLimit: { callsPerSecond: 1, burst: 1 }, now: () => t });
    await del(e, "/1.0/API_KEY/data/users/u");
    await del(e, "/1.0/API_KEY/data/users/u");
    t += 1000;
    await del(e, "/1.0/API_KEY/data/users/u");
    expect((await admin(e, "GET", "/stats")).body).toMatchObject({
      requests: 3,
      accepted: 2,
      rateLimited: 1,
      statuses: { "200": 2, "429": 1 },
    });
    expect((await admin(e, "GET", "/timeline")).body).toEqual({
      seconds: [
        {
          at: 5000,
          requests: 2,
          accepted: 1,
          idsAccepted: 1,
          errors: 1,
          tooManyRequests: 1,
          rateLimited: 1,
        },
        {
          at: 6000,
          requests: 1,
          accepted: 1,
          idsAccepted: 1,
          errors: 0,
          tooManyRequests: 0,
          rateLimited: 0,
        },
      ],
    });
    expect((await admin(e, "GET", "/timeline", undefined, "WRONG")).status).toBe(401);
  });
});
