import { afterEach, describe, expect, it } from "vitest";
import {
  API_KEY,
  AUTH,
  answer,
  closeAll,
  del,
  emulator,
  errorOf,
  REST_API_KEY,
} from "../test/helpers.js";
import type { Emulator } from "./emulator.js";

afterEach(closeAll);

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const bulk = (ids: unknown) => ({ body: typeof ids === "string" ? ids : JSON.stringify(ids) });

describe("single delete: DELETE /1.0/{API_KEY}/data/users/{ID}", () => {
  it("answers 200 with a UUID v4 token, one per call", async () => {
    const e = emulator();
    e.seed(API_KEY, ["user1"]);
    const a = await answer(await del(e, "/1.0/API_KEY/data/users/user1"));
    const b = await answer(await del(e, "/1.0/API_KEY/data/users/user1"));
    expect(a.status).toBe(200);
    expect(a.headers.get("content-type")).toMatch(/^application\/json/);
    const tokenA = (a.body as { token: string }).token;
    const tokenB = (b.body as { token: string }).token;
    expect(tokenA).toMatch(UUID_V4);
    expect(tokenB).toMatch(UUID_V4);
    expect(tokenA).not.toBe(tokenB);
    expect(Object.keys(a.body as object)).toEqual(["token"]);
  });

  it("deletes asynchronously: the data stays readable until processed", async () => {
    const e = emulator({ processingDelayMs: 300 });
    e.seed(API_KEY, ["user1", "user2"]);
    const { body } = await answer(await del(e, "/1.0/API_KEY/data/users/user1"));
    const token = (body as { token: string }).token;
    expect(e.hasData(API_KEY, "user1")).toBe(true);
    expect(e.transaction(token)).toMatchObject({ status: "pending", ids: 1, kind: "single" });
    await e.settled();
    expect(e.hasData(API_KEY, "user1")).toBe(false);
    expect(e.hasData(API_KEY, "user2")).toBe(true);
    expect(e.transaction(token)).toMatchObject({ status: "done", ids: 1, deleted: 1 });
  });

  it.each([
    ["a/b", "a%2Fb"],
    ["a?b#c", "a%3Fb%23c"],
    ["100%", "100%25"],
    ["%41", "%2541"],
    ["  spaced  ", "%20%20spaced%20%20"],
    ["Ünïcødé 用户 😀", encodeURIComponent("Ünïcødé 用户 😀")],
    ["a+b", "a+b"],
    ["...", "..."],
    ["CaSe", "CaSe"],
  ])("decodes the id segment exactly once: %j", async (id, segment) => {
    const e = emulator();
    e.seed(API_KEY, [
      id,
      id.toLowerCase(),
      id.trim(),
      decodeURIComponent(id.replace(/%(?![0-9A-F]{2})/g, "%25")),
    ]);
    const before = e.count(API_KEY);
    expect((await del(e, `/1.0/API_KEY/data/users/${segment}`)).status).toBe(200);
    e.flush();
    expect(e.hasData(API_KEY, id)).toBe(false);
    expect(e.count(API_KEY)).toBe(before - 1);
  });

  it("accepts an id with no data (a delete is idempotent)", async () => {
    const e = emulator();
    const r = await answer(await del(e, "/1.0/API_KEY/data/users/nobody"));
    expect(r.status).toBe(200);
    e.flush();
    expect(e.transaction((r.body as { token: string }).token)).toMatchObject({ deleted: 0 });
  });

  it("refuses an empty id segment with 400/30", async () => {
    const r = await answer(await del(emulator(), "/1.0/API_KEY/data/users/"));
    expect(r).toMatchObject({ status: 400, body: errorOf(30) });
  });

  it("refuses bad percent-encoding and over-long ids with 400/31", async () => {
    const e = emulator();
    for (const segment of ["%E0%A4%A", "%ZZ", "%C3", "%ED%A0%80", "x".repeat(1024)]) {
      const r = await answer(await del(e, `/1.0/API_KEY/data/users/${segment}`));
      expect(r, segment).toMatchObject({ status: 400, body: errorOf(31) });
    }
    expect((await del(e, `/1.0/API_KEY/data/users/${"x".repeat(1023)}`)).status).toBe(200);
  });

  it("ignores a body and the query string", async () => {
    const e = emulator();
    e.seed(API_KEY, ["user1"]);
    const r = await del(e, "/1.0/API_KEY/data/users/user1?foo=bar", { body: "not json" });
    expect(r.status).toBe(200);
    e.flush();
    expect(e.hasData(API_KEY, "user1")).toBe(false);
  });
});

describe("bulk delete: DELETE /1.0/{API_KEY}/data/users", () => {
  it("deletes every listed user, duplicates and unknown ids included", async () => {
    const e = emulator({ processingDelayMs: 300 });
    e.seed(API_KEY, ["user1", "user2", "user3"]);
    const r = await answer(
      await del(e, "/1.0/API_KEY/data/users", bulk(["user1", "user2", "user1", "ghost"])),
    );
    expect(r.status).toBe(200);
    const token = (r.body as { token: string }).token;
    expect(token).toMatch(UUID_V4);
    expect(e.hasData(API_KEY, "user1")).toBe(true);
    expect(e.transaction(token)).toMatchObject({ status: "pending", ids: 4, kind: "bulk" });
    await e.settled();
    expect(e.users(API_KEY)).toEqual(["user3"]);
    expect(e.transaction(token)).toMatchObject({ status: "done", deleted: 2 });
  });

  it("accepts 10,000 ids and refuses 10,001 with 400/31", async () => {
    const e = emulator();
    e.seed(API_KEY, 10_001);
    const ids = e.users(API_KEY);
    expect((await del(e, "/1.0/API_KEY/data/users", bulk(ids.slice(0, 10_000)))).status).toBe(200);
    const r = await answer(await del(e, "/1.0/API_KEY/data/users", bulk(ids)));
    expect(r).toMatchObject({ status: 400, body: errorOf(31) });
    e.flush();
    expect(e.users(API_KEY)).toEqual(["user-10001"]);
  });

  it("accepts the largest legal body: 10,000 ids of 1023 characters", async () => {
    const e = emulator();
    const ids = Array.from({ length: 10_000 }, (_, i) => `${i}`.padEnd(1023, "\u0001"));
    const body = JSON.stringify(ids);
    expect(body.length).toBeGreaterThan(60_000_000);
    expect((await del(e, "/1.0/API_KEY/data/users", { body })).status).toBe(200);
  });

  it("refuses a missing body with 400/30", async () => {
    const e = emulator();
    expect(await answer(await del(e, "/1.0/API_KEY/data/users"))).toMatchObject({
      status: 400,
      body: errorOf(30),
    });
    expect(await answer(await del(e, "/1.0/API_KEY/data/users", { body: "" }))).toMatchObject({
      status: 400,
      body: errorOf(30),
    });
  });

  it.each([
    ["not JSON", "user1,user2"],
    ["truncated JSON", '["user1",'],
    ["single quotes", "['user1']"],
  ])("refuses %s with 400/32", async (_label, body) => {
    const r = await answer(await del(emulator(), "/1.0/API_KEY/data/users", { body }));
    expect(r).toMatchObject({ status: 400, body: errorOf(32) });
  });

  it("refuses invalid UTF-8 with 400/32", async () => {
    const body = new Uint8Array([0x5b, 0x22, 0xc3, 0x28, 0x22, 0x5d]);
    const r = await answer(await del(emulator(), "/1.0/API_KEY/data/users", { body }));
    expect(r).toMatchObject({ status: 400, body: errorOf(32) });
  });

  it.each([
    ["an object", { ids: ["user1"] }],
    ["a string", "user1"],
    ["null", null],
    ["an empty array", []],
    ["a number id", ["user1", 2]],
    ["a null id", [null]],
    ["an empty-string id", [""]],
    ["a nested array", [["user1"]]],
    ["100,000 nested brackets", `${"[".repeat(100_000)}${"]".repeat(100_000)}`],
    // Refused at its second byte: the first problem in reading order wins.
    ["100,000 unclosed brackets", "[".repeat(100_000)],
  ])("refuses %s with 400/31 and deletes nothing", async (_label, value) => {
    const e = emulator();
    e.seed(API_KEY, ["user1"]);
    const r = await answer(
      await del(e, "/1.0/API_KEY/data/users", {
        body: typeof value === "string" && value.startsWith("[[") ? value : JSON.stringify(value),
      }),
    );
    expect(r).toMatchObject({ status: 400, body: errorOf(31) });
    e.flush();
    expect(e.hasData(API_KEY, "user1")).toBe(true);
  });

  it("does not check Content-Type", async () => {
    const e = emulator();
    const r = await e.fetch("http://emulator.test/1.0/API_KEY/data/users", {
      method: "DELETE",
      headers: { "x-authorization": REST_API_KEY, "content-type": "text/plain" },
      body: '["user1"]',
    });
    expect(r.status).toBe(200);
  });

  it("ignores a UTF-8 byte order mark", async () => {
    const e = emulator();
    const body = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('["user1"]')]);
    expect((await del(e, "/1.0/API_KEY/data/users", { body })).status).toBe(200);
  });

  /** An endless body repeating `chunk` after `first`; counts what was pulled. */
  function endless(first: string, chunk: string) {
    const encoder = new TextEncoder();
    const state = { bytes: 0, cancelled: false, stream: undefined as unknown as ReadableStream };
    const repeated = encoder.encode(chunk);
    state.stream = new ReadableStream<Uint8Array>({
      start(controller) {
        state.bytes += first.length;
        controller.enqueue(encoder.encode(first));
      },
      pull(controller) {
        if (state.bytes > 64 * 1024 * 1024) throw new Error("read far past any bound");
        state.bytes += repeated.byteLength;
        controller.enqueue(repeated);
      },
      cancel() {
        state.cancelled = true;
      },
    });
    return state;
  }

  it.each([
    ["a deep [[[[ body", "[", "[".repeat(64 * 1024), /position 0 is an array/],
    ["too many ids", '["u"', ',"u"'.repeat(16 * 1024), /more than 10000 ids/],
    ["a too long id", '["', "x".repeat(64 * 1024), /position 0 is longer than 1023/],
    ["objects", "[", "{}".repeat(32 * 1024), /position 0 is an object/],
  ])("refuses %s after reading a bounded prefix", async (_label, first, chunk, message) => {
    const e = emulator();
    const body = endless(first, chunk);
    const r = await answer(
      await del(e, "/1.0/API_KEY/data/users", { body: body.stream, duplex: "half" } as RequestInit),
    );
    expect(r).toMatchObject({ status: 400, body: errorOf(31) });
    expect((r.body as { error_message: string }).error_message).toMatch(message);
    // At most a few chunks of 64 KiB, then the stream is cancelled.
    expect(body.bytes).toBeLessThan(256 * 1024);
    expect(body.cancelled).toBe(true);
  });

  it("cuts an oversized streamed body off at the cap with 413/31", async () => {
    const e = emulator({ maxBodyBytes: 1024 });
    let pulls = 0;
    const endless = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("["));
      },
      pull(controller) {
        pulls++;
        if (pulls > 100_000) throw new Error("the emulator read far past the cap");
        controller.enqueue(new TextEncoder().encode('"x",'));
      },
    });
    const r = await answer(
      await del(e, "/1.0/API_KEY/data/users", { body: endless, duplex: "half" } as RequestInit),
    );
    expect(r).toMatchObject({ status: 413, body: errorOf(31) });
    expect(pulls).toBeLessThan(1000);
  });
});

describe("auth", () => {
  it("refuses a missing or wrong X-Authorization with 401/10", async () => {
    const e = emulator();
    e.seed(API_KEY, ["user1"]);
    for (const headers of <Record<string, string>[]>[
      {},
      { "x-authorization": "WRONG" },
      { "x-authorization": `${REST_API_KEY}2` },
      { "x-authorization": "rest_api_key" },
      { "x-authorization": "" },
    ]) {
      const r = await answer(
        await e.fetch("http://emulator.test/1.0/API_KEY/data/users/user1", {
          method: "DELETE",
          headers,
        }),
      );
      expect(r, JSON.stringify(headers)).toMatchObject({ status: 401, body: errorOf(10) });
    }
    const bulkR = await answer(
      await e.fetch("http://emulator.test/1.0/API_KEY/data/users", {
        method: "DELETE",
        body: '["user1"]',
      }),
    );
    expect(bulkR).toMatchObject({ status: 401, body: errorOf(10) });
    e.flush();
    expect(e.hasData(API_KEY, "user1")).toBe(true);
  });

  it("refuses an unknown API key with 401/10", async () => {
    const e = emulator();
    for (const path of [
      "/1.0/OTHER/data/users/u",
      "/1.0/api_key/data/users/u",
      "/1.0/%ZZ/data/users/u",
    ]) {
      expect(await answer(await del(e, path)), path).toMatchObject({
        status: 401,
        body: errorOf(10),
      });
    }
  });

  it("checks auth before the body", async () => {
    const e = emulator();
    const r = await e.fetch("http://emulator.test/1.0/API_KEY/data/users", {
      method: "DELETE",
      body: "junk",
    });
    expect(r.status).toBe(401);
  });

  /**
   * Sends a body that counts how often it is read from (its first pull comes on the first
   * read): the answer's status, and how many reads the emulator made.
   */
  async function sendCounted(e: Emulator, path: string, init: RequestInit) {
    let pulls = 0;
    const body = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          pulls++;
          controller.enqueue(new TextEncoder().encode('["user1"]'));
          controller.close();
        },
      },
      { highWaterMark: 0 },
    );
    const r = await e.fetch(`http://emulator.test${path}`, {
      ...init,
      body,
      duplex: "half",
    } as RequestInit);
    return { status: r.status, pulls };
  }

  it.each([
    ["a wrong REST key", "/1.0/API_KEY/data/users", { "x-authorization": "WRONG" }],
    ["no REST key", "/1.0/API_KEY/data/users", {}],
    ["an unknown API key", "/1.0/NOPE/data/users", { "x-authorization": REST_API_KEY }],
    ["an admin route without the key", "/_emulator/faults", {}],
  ])("answers 401 to %s without reading the body", async (_label, path, headers) => {
    const e = emulator();
    const method = path.startsWith("/_emulator") ? "PUT" : "DELETE";
    expect(await sendCounted(e, path, { method, headers })).toEqual({ status: 401, pulls: 0 });
  });

  it("answers 401 before any fault or latency", async () => {
    const e = emulator({ faults: { serverError: 1, latencyMs: 60_000 } });
    const sent = await sendCounted(e, "/1.0/API_KEY/data/users", {
      method: "DELETE",
      headers: { "x-authorization": "WRONG" },
    });
    expect(sent).toEqual({ status: 401, pulls: 0 });
    expect(e.stats().faults).toBe(0);
  });

  it("answers 413 to a declared Content-Length over the cap without reading the body", async () => {
    const e = emulator({ maxBodyBytes: 1000 });
    const sent = await sendCounted(e, "/1.0/API_KEY/data/users", {
      method: "DELETE",
      headers: { ...AUTH, "content-length": "1001" },
    });
    expect(sent).toEqual({ status: 413, pulls: 0 });
  });

  it("answers 403/12 for an app whose plan lacks the API", async () => {
    const e = emulator({ apps: [API_KEY], restrictedApps: ["FREE_APP"] });
    const r = await answer(await del(e, "/1.0/FREE_APP/data/users/u"));
    expect(r).toMatchObject({ status: 403, body: errorOf(12) });
    expect(
      (await del(e, "/1.0/FREE_APP/data/users/u", { headers: { "x-authorization": "x" } })).status,
    ).toBe(401);
  });

  it("keeps apps apart: one key per app", async () => {
    const e = emulator({ apps: ["IOS", "ANDROID"] });
    e.seed("IOS", ["u"]);
    e.seed("ANDROID", ["u"]);
    expect((await del(e, "/1.0/IOS/data/users/u")).status).toBe(200);
    e.flush();
    expect(e.hasData("IOS", "u")).toBe(false);
    expect(e.hasData("ANDROID", "u")).toBe(true);
    expect((await del(e, "/1.0/API_KEY/data/users/u")).status).toBe(401);
  });

  it("never echoes a key in an error message", async () => {
    const e = emulator({ apps: ["SECRET_APP_KEY_123"], restApiKey: "SECRET_REST_KEY_456" });
    const paths = [
      "/1.0/SECRET_APP_KEY_123/data/users/u",
      "/1.0/SECRET_APP_KEY_123/data/users",
      "/1.0/SECRET_APP_KEY_123/data/users/",
      "/1.0/SECRET_APP_KEY_123/nope",
      "/1.0/WRONG/data/users/u",
    ];
    for (const path of paths) {
      for (const headers of [
        { "x-authorization": "SECRET_REST_KEY_456" },
        { "x-authorization": "SECRET_APP_KEY_123" },
      ]) {
        for (const method of ["DELETE", "GET"]) {
          const r = await e.fetch(`http://emulator.test${path}`, {
            method,
            headers,
            ...(method === "DELETE" ? { body: "[1]" } : {}),
          });
          const text = await r.text();
          expect(text).not.toMatch(/SECRET/);
        }
      }
    }
  });
});

describe("routes", () => {
  it.each([
    ["GET", "/1.0/API_KEY/data/users/u"],
    ["POST", "/1.0/API_KEY/data/users"],
    ["PUT", "/1.0/API_KEY/data/users/u"],
    ["PATCH", "/1.0/API_KEY/data/users"],
    ["HEAD", "/1.0/API_KEY/data/users/u"],
    ["OPTIONS", "/1.0/API_KEY/data/users/u"],
    ["DELETE", "/1.0/API_KEY/data/users/u/extra"],
    ["DELETE", "/1.0/API_KEY/data/users/u/"],
    ["DELETE", "/1.0/API_KEY/data/users//"],
    ["DELETE", "/1.0/API_KEY/data/users/"],
    ["DELETE", "/1.0/API_KEY/data/user/u"],
    ["DELETE", "/1.0/API_KEY/data"],
    ["DELETE", "/1.0/API_KEY"],
    ["DELETE", "/1.1/API_KEY/data/users/u"],
    ["DELETE", "/API_KEY/data/users/u"],
    ["DELETE", "/"],
    ["GET", "/_emulatorx"],
  ])("%s %s → 404/20 (except the empty id: 400/30)", async (method, path) => {
    const e = emulator();
    const r = await e.fetch(`http://emulator.test${path}`, {
      method,
      headers: { "x-authorization": REST_API_KEY },
    });
    if (path.endsWith("/data/users/")) {
      expect(r.status).toBe(400);
      return;
    }
    expect(r.status).toBe(404);
    if (method !== "HEAD") expect(await answer(r)).toMatchObject({ body: errorOf(20) });
  });

  it("answers 404/20 before checking auth", async () => {
    const e = emulator();
    const r = await e.fetch("http://emulator.test/1.0/API_KEY/data/users/u", { method: "GET" });
    expect(await answer(r)).toMatchObject({ status: 404, body: errorOf(20) });
  });
});

describe("log", () => {
  it("records method, redacted path, id count, status and fault", async () => {
    const e = emulator({ apps: ["KEY_ABC"] });
    await del(e, "/1.0/KEY_ABC/data/users/u%2F1?KEY_ABC");
    await del(e, "/1.0/KEY_ABC/data/users", bulk(["a", "b", "c"]));
    await del(e, "/1.0/KEY_ABC/data/users", bulk(["a", 1]));
    e.failNext("serverError");
    await del(e, "/1.0/KEY_ABC/data/users/x");
    await e.fetch("http://emulator.test/1.0/KEY_ABC/data/users/x");
    const log = e.log();
    expect(
      log.map(({ method, path, ids, status, fault }) => ({ method, path, ids, status, fault })),
    ).toEqual([
      { method: "DELETE", path: "/1.0/***/data/users/u%2F1", ids: 1, status: 200, fault: null },
      { method: "DELETE", path: "/1.0/***/data/users", ids: 3, status: 200, fault: null },
      { method: "DELETE", path: "/1.0/***/data/users", ids: 2, status: 400, fault: null },
      {
        method: "DELETE",
        path: "/1.0/***/data/users/x",
        ids: 0,
        status: 500,
        fault: "serverError",
      },
      { method: "GET", path: "/1.0/***/data/users/x", ids: 0, status: 404, fault: null },
    ]);
    expect(log[0]!.token).toMatch(UUID_V4);
    expect(JSON.stringify(log)).not.toMatch(/KEY_ABC/);
    expect(e.stats()).toEqual({
      requests: 5,
      accepted: 2,
      idsAccepted: 4,
      errors: 3,
      faults: 1,
      rateLimited: 0,
      statuses: { "200": 2, "400": 1, "404": 1, "500": 1 },
      pending: 2,
    });
  });

  it("is bounded by logLimit", async () => {
    const e = emulator({ logLimit: 3 });
    for (let i = 0; i < 10; i++) await del(e, `/1.0/API_KEY/data/users/u${i}`);
    expect(e.log().map((l) => l.path)).toEqual([
      "/1.0/***/data/users/u7",
      "/1.0/***/data/users/u8",
      "/1.0/***/data/users/u9",
    ]);
    e.clearLog();
    expect(e.log()).toEqual([]);
  });
});
