// DELETE /v1/me end to end, authorization (user JWTs and the admin token), CORS, the error
// shape, and secrets: in workerd, against the emulator on 127.0.0.1.
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APP_KEYS, admin, type Harness, SECRETS, secretsIn, startHarness } from "./harness.js";

const issued: string[] = [];
const encoder = new TextEncoder();
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");

async function token(
  claims: Record<string, unknown> = {},
  { secret = SECRETS.userTokenSecret, alg = "HS256", expiresIn = "5m" as string | null } = {},
) {
  let jwt = new SignJWT({ sub: "user-42", ...claims }).setProtectedHeader({ alg }).setIssuedAt();
  if (expiresIn) jwt = jwt.setExpirationTime(expiresIn);
  const signed = await jwt.sign(encoder.encode(secret));
  issued.push(signed);
  return signed;
}

const bearer = (value: string) => ({ Authorization: `Bearer ${value}` });

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  h.emulator.seed(APP_KEYS.ios, ["user-42", "user-43"]);
  h.emulator.seed(APP_KEYS.android, ["user-42", "user-43"]);
});
afterAll(() => h?.close());

describe("DELETE /v1/me", () => {
  it("deletes the token's user in every app and answers one token per app", async () => {
    const jwt = await token();
    // Whatever the request says besides the token, only its `sub` is deleted.
    const { status, body } = await h.json("/v1/me?user=user-43", {
      method: "DELETE",
      headers: { ...bearer(jwt), "Content-Type": "application/json" },
      body: JSON.stringify(["user-43"]),
    });
    expect(status).toBe(200);
    expect(body.tokens.map((t: { app: string }) => t.app).sort()).toEqual(["android", "ios"]);
    for (const { token: tx } of body.tokens) {
      expect(h.emulator.transaction(tx)).toMatchObject({ kind: "single", ids: 1 });
    }
    h.emulator.flush();
    for (const key of [APP_KEYS.ios, APP_KEYS.android]) {
      expect(h.emulator.hasData(key, "user-42")).toBe(false);
      expect(h.emulator.hasData(key, "user-43")).toBe(true);
    }
  });

  it("answers 503 when Batch stays unavailable, after bounded retries", async () => {
    h.emulator.setFaults({ maintenance: 1 });
    try {
      const { status, body, headers } = await h.json("/v1/me", {
        method: "DELETE",
        headers: bearer(await token({ sub: "user-43" })),
      });
      expect(status).toBe(503);
      expect(body.error).toMatchObject({
        code: "UPSTREAM_UNAVAILABLE",
        upstream: "MAINTENANCE_ERROR",
      });
      expect(headers.get("content-type")).toMatch(/application\/json/);
    } finally {
      h.emulator.setFaults({});
    }
    expect(h.emulator.hasData(APP_KEYS.ios, "user-43")).toBe(true);
  });

  it("refuses a token whose sub is not a Batch custom user id", async () => {
    const { status, body } = await h.json("/v1/me", {
      method: "DELETE",
      headers: bearer(await token({ sub: "x".repeat(1024) })),
    });
    expect(status).toBe(400);
    expect(body.error.code).toBe("INVALID_USER_ID");
  });
});

describe("authorization", () => {
  const refused = async (headers: Record<string, string>, path = "/v1/me", method = "DELETE") => {
    const before = h.emulator.stats().requests;
    const { status, body, headers: answer } = await h.json(path, { method, headers });
    expect(status).toBe(401);
    expect(body.error.code).toBe("UNAUTHORIZED");
    expect(answer.get("www-authenticate")).toMatch(/^Bearer/);
    expect(h.emulator.stats().requests).toBe(before); // nothing was sent to Batch
    return body.error.message as string;
  };

  it("refuses a missing or malformed Authorization header", async () => {
    expect(await refused({})).toMatch(/Bearer/);
    await refused({ Authorization: "Basic dXNlcjpwYXNz" });
    await refused({ Authorization: "Bearer" });
    await refused(bearer("not-a-jwt"));
    await refused(bearer("a.b.c"));
  });

  it("refuses forged tokens: another secret, alg none, another algorithm, an asymmetric key", async () => {
    await refused(
      bearer(await token({}, { secret: "another-secret-0123456789abcdef-0123456789" })),
    );
    const none = `${b64({ alg: "none", typ: "JWT" })}.${b64({ sub: "user-42", exp: 4e9 })}.`;
    issued.push(none);
    await refused(bearer(none));
    await refused(bearer(await token({}, { alg: "HS512" })));
    const { privateKey, publicKey } = await generateKeyPair("RS256");
    await exportJWK(publicKey);
    const rs = await new SignJWT({ sub: "user-42" })
      .setProtectedHeader({ alg: "RS256" })
      .setExpirationTime("5m")
      .sign(privateKey);
    issued.push(rs);
    await refused(bearer(rs));
    // The right signature over a payload someone changed.
    const [head, , sig] = (await token()).split(".");
    await refused(bearer(`${head}.${b64({ sub: "user-43", exp: 4e9 })}.${sig}`));
  });

  it("refuses expired tokens and tokens without exp or sub", async () => {
    const expired = await token({ exp: Math.floor(Date.now() / 1000) - 60 }, { expiresIn: null });
    expect(await refused(bearer(expired))).toMatch(/expired/);
    await refused(bearer(await token({}, { expiresIn: null })));
    await refused(bearer(await token({ sub: undefined })));
  });

  it("refuses the admin routes without the admin token, with a wrong one, or with a user's JWT", async () => {
    for (const [path, method] of [
      ["/v1/jobs", "POST"],
      ["/v1/jobs/0b1e0c3a-1111-4111-8111-111111111111", "GET"],
      ["/v1/jobs/0b1e0c3a-1111-4111-8111-111111111111/failed", "GET"],
      ["/v1/jobs/0b1e0c3a-1111-4111-8111-111111111111/tokens", "GET"],
    ] as const) {
      await refused({}, path, method);
      await refused(bearer(`${SECRETS.adminToken}x`), path, method);
      await refused(bearer(SECRETS.adminToken.slice(0, -1)), path, method);
      await refused(bearer(await token()), path, method);
    }
  });

  it("lets the admin token in", async () => {
    const { status, body } = await h.json("/v1/jobs/0b1e0c3a-1111-4111-8111-111111111111", admin());
    expect(status).toBe(404);
    expect(body.error.code).toBe("JOB_NOT_FOUND");
  });
});

describe("CORS", () => {
  const preflight = (origin: string) =>
    h.request("/v1/me", {
      method: "OPTIONS",
      origin,
      headers: {
        "Access-Control-Request-Method": "DELETE",
        "Access-Control-Request-Headers": "authorization",
      },
    });

  it("allows the configured origins", async () => {
    const answer = await preflight("https://app.example.com");
    expect(answer.status).toBe(204);
    expect(answer.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    expect(answer.headers.get("access-control-allow-methods")).toMatch(/DELETE/);
    expect(answer.headers.get("access-control-allow-headers")).toMatch(/Authorization/i);
    const get = await h.request("/healthz", { origin: "http://localhost:5173" });
    expect(get.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
    expect(get.headers.get("vary")).toMatch(/Origin/);
  });

  it("refuses any other origin", async () => {
    for (const origin of ["https://evil.example", "https://app.example.com.evil.example", "null"]) {
      const answer = await preflight(origin);
      expect(answer.headers.get("access-control-allow-origin")).toBeNull();
      const get = await h.request("/healthz", { origin });
      expect(get.headers.get("access-control-allow-origin")).toBeNull();
    }
  });
});

describe("errors", () => {
  it("answer a stable JSON shape", async () => {
    const cases: [string, RequestInit, number, string][] = [
      ["/nowhere", {}, 404, "NOT_FOUND"],
      [
        "/v1/jobs",
        admin({ method: "POST", headers: { "Content-Type": "text/csv" }, body: "a" }),
        415,
        "UNSUPPORTED_MEDIA_TYPE",
      ],
      [
        "/v1/jobs",
        admin({
          method: "POST",
          headers: { "Content-Type": "text/plain; charset=latin1" },
          body: "a",
        }),
        415,
        "UNSUPPORTED_MEDIA_TYPE",
      ],
      [
        "/v1/jobs",
        admin({ method: "POST", headers: { "Content-Type": "text/plain" } }),
        400,
        "NO_IDS",
      ],
      ["/v1/jobs/not..an..id", admin(), 404, "JOB_NOT_FOUND"],
      ["/v1/jobs/0b1e0c3a-1111-4111-8111-111111111111/failed?limit=0", admin(), 400, "BAD_REQUEST"],
      [
        "/v1/jobs/0b1e0c3a-1111-4111-8111-111111111111/tokens?cursor=x",
        admin(),
        400,
        "BAD_REQUEST",
      ],
    ];
    for (const [path, init, status, code] of cases) {
      const answer = await h.json(path, init);
      expect({ path, status: answer.status }).toEqual({ path, status });
      expect(answer.body).toEqual({ error: { code, message: expect.any(String) } });
      expect(answer.headers.get("content-type")).toMatch(/application\/json/);
    }
  });
});

describe("a misconfigured Worker", () => {
  let bad: Harness;
  beforeAll(async () => {
    bad = await startHarness({
      vars: { BATCH_API_KEY: "", USER_TOKEN_SECRET: SECRETS.userTokenSecret, ADMIN_TOKEN: "short" },
    });
  });
  afterAll(() => bad?.close());

  it("says which variable to fix, never a value", async () => {
    const me = await bad.json("/v1/me", { method: "DELETE", headers: bearer(await token()) });
    expect(me.status).toBe(500);
    expect(me.body.error).toEqual({
      code: "MISCONFIGURED",
      message: expect.stringMatching(/BATCH_API_KEY/),
    });
    const jobs = await bad.json("/v1/jobs", { method: "POST", headers: bearer("short") });
    expect(jobs.status).toBe(500);
    expect(jobs.body.error.message).toMatch(/ADMIN_TOKEN must be set, at least 32 bytes/);
    expect(secretsIn([...bad.bodies, ...bad.logs], ["short"])).toEqual([]);
  });
});

describe("secrets", () => {
  it("never appear in a response body or a log line", async () => {
    expect(h.bodies.length).toBeGreaterThan(20);
    expect(h.logs.length).toBeGreaterThan(5);
    expect(secretsIn([...h.bodies, ...h.logs], issued)).toEqual([]);
  });

  it("stay within the invocation budgets", async () => {
    const invocations = await h.invocations();
    const me = invocations.filter((i) => i.kind === "fetch" && i.fetches > 0);
    expect(me.length).toBeGreaterThanOrEqual(2);
    // The 503 case: 2 apps × 3 attempts.
    expect(Math.max(...me.map((i) => i.fetches))).toBe(6);
    for (const i of invocations) {
      expect(i.subrequests).toBeLessThanOrEqual(50);
      expect(i.peakConnections).toBeLessThanOrEqual(6);
    }
  });
});
