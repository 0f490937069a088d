import { describe, expect, it } from "vitest";
import { caught, client, fakeFetch, reply, SECRETS, tokenReply } from "../test/helpers.js";
import { ERROR_KINDS } from "./codes.js";
import { BatchApiError, BatchError } from "./errors.js";
import { createRedactor, type Redactor } from "./redact.js";
import { buildDeleteUsersRequest } from "./request.js";
import { readAnswer, readText } from "./response.js";
import { parseRetryAfter } from "./retry.js";

const redact = createRedactor(SECRETS);
const request = buildDeleteUsersRequest(
  { baseUrl: "https://x/1.0", apiKey: "k", restApiKey: "r" },
  [],
);
/** The token, or the error the answer stands for (as the client builds it, without a request). */
async function readToken(response: Response, redactor: Redactor = redact): Promise<string> {
  const answer = await readAnswer(response, request, redactor);
  if ("value" in answer) return answer.value;
  const { kind, message, ...fields } = answer.failure;
  throw new BatchApiError(message, fields);
}
const read = (response: Response) => readToken(response);
const fails = (response: Response) => caught<BatchApiError>(() => read(response));

/** API.md's error table, written out here rather than read from the code under test. */
const TABLE = [
  { name: "AUTHENTICATION_INVALID", status: 401, code: 10, retryable: false },
  { name: "API_MISUSE", status: 403, code: 12, retryable: false },
  { name: "ROUTE_NOT_FOUND", status: 404, code: 20, retryable: false },
  { name: "MISSING_PARAMETER", status: 400, code: 30, retryable: false },
  { name: "MALFORMED_PARAMETER", status: 400, code: 31, retryable: false },
  { name: "MALFORMED_JSON_BODY", status: 400, code: 32, retryable: false },
  { name: "SERVER_ERROR", status: 500, code: 1, retryable: true },
  { name: "MAINTENANCE_ERROR", status: 503, code: 2, retryable: true },
  { name: "TOO_MANY_REQUESTS", status: 429, code: 60, retryable: true },
] as const;

const bodies = (row: (typeof TABLE)[number]) =>
  [
    ["error_code as a number", { error_code: row.code, error_message: "what to fix" }],
    [
      "error_code as a numeric string",
      { error_code: String(row.code), error_message: "what to fix" },
    ],
    ["error_code as the name", { error_code: row.name, message: "what to fix" }],
    ["code and message", { code: row.code, message: "what to fix" }],
  ] as const;

describe("readToken: success", () => {
  it("returns the token of a 200", async () => {
    expect(await read(tokenReply("fd576e9f-8b07-4844-91f9-ecfc2137c6f8"))).toBe(
      "fd576e9f-8b07-4844-91f9-ecfc2137c6f8",
    );
  });

  it("accepts any 2xx with a token", async () => {
    expect(await read(reply(202, { token: "t", extra: 1 }))).toBe("t");
  });

  it.each([
    ["an empty body", undefined],
    ["an object without token", {}],
    ["an empty token", { token: "" }],
    ["a numeric token", { token: 5 }],
    ["JSON null", "null"],
    ["HTML", "<html>ok</html>"],
  ])("maps a 200 with %s to UNEXPECTED_RESPONSE, not retryable", async (_, body) => {
    const error = await fails(reply(200, body));
    expect(error).toBeInstanceOf(BatchApiError);
    expect(error).toMatchObject({ name: "UNEXPECTED_RESPONSE", status: 200, retryable: false });
    expect(error.code).toBeUndefined();
    expect(error.message).toMatch(/^HTTP 200 \(no token in a 2xx answer/);
  });
});

describe("readToken: every row of API.md's error table", () => {
  for (const row of TABLE) {
    it.each(bodies(row))(`${row.status} / ${row.code} ${row.name}: %s`, async (_, body) => {
      const error = await fails(reply(row.status, body));
      expect(error).toBeInstanceOf(BatchApiError);
      expect(error).toBeInstanceOf(BatchError);
      expect({
        name: error.name,
        status: error.status,
        code: error.code,
        retryable: error.retryable,
      }).toEqual(row);
      expect(error.message).toContain(`HTTP ${row.status}, code ${row.code}: what to fix`);
    });
  }

  it("ERROR_KINDS lists every row", () => {
    for (const row of TABLE) expect(ERROR_KINDS).toContainEqual(row);
  });

  it("prefers error_message over message", async () => {
    const error = await fails(
      reply(400, { error_code: 31, error_message: "first", message: "second" }),
    );
    expect(error.message).toContain(": first");
    expect(error.message).not.toContain("second");
  });

  it("adds what to do for 401, 403 and 404", async () => {
    expect((await fails(reply(401))).message).toContain("check apiKey and restApiKey");
    expect((await fails(reply(403))).message).toContain("plan include the Custom Data API");
    expect((await fails(reply(404))).message).toContain("check baseUrl");
  });

  it("keeps a long server message short", async () => {
    const error = await fails(reply(400, { error_code: 31, error_message: "x".repeat(5000) }));
    expect(error.message.length).toBeLessThan(400);
  });
});

describe("readToken: bodies that say nothing map from the status alone", () => {
  const shapes = [
    ["an empty body", undefined],
    ["an HTML body", "<html><body><h1>Bad things</h1></body></html>"],
    ["a non-JSON body", "oops: upstream said no"],
    ["a JSON body without a code", { error: "nope" }],
    ["an empty error_code", { error_code: "" }],
  ] as const;
  const byStatus = [
    [401, "AUTHENTICATION_INVALID", 10, false],
    [403, "API_MISUSE", 12, false],
    [404, "ROUTE_NOT_FOUND", 20, false],
    [400, "MALFORMED_PARAMETER", 31, false],
    [500, "SERVER_ERROR", 1, true],
    [503, "MAINTENANCE_ERROR", 2, true],
    [429, "TOO_MANY_REQUESTS", 60, true],
    [502, "BAD_GATEWAY", undefined, true],
    [504, "GATEWAY_TIMEOUT", undefined, true],
    [418, "HTTP_418", undefined, false],
    [409, "HTTP_409", undefined, false],
    [599, "SERVER_ERROR", 1, true],
  ] as const;
  for (const [label, body] of shapes) {
    it.each(byStatus)(`${label}: %i → %s`, async (status, name, code, retryable) => {
      const error = await fails(reply(status, body));
      expect({
        name: error.name,
        status: error.status,
        code: error.code,
        retryable: error.retryable,
      }).toEqual({
        name,
        status,
        code,
        retryable,
      });
      expect(error.message).toMatch(new RegExp(`^HTTP ${status}`));
    });
  }

  it("keeps an unknown numeric code on an unknown status", async () => {
    const error = await fails(reply(418, { error_code: "99" }));
    expect(error).toMatchObject({ name: "HTTP_418", status: 418, code: 99, retryable: false });
  });

  it("retryability follows the status, whatever code the body names", async () => {
    const error = await fails(reply(503, { error_code: 10 }));
    expect(error).toMatchObject({ name: "AUTHENTICATION_INVALID", status: 503, retryable: true });
  });
});

describe("Retry-After", () => {
  it("429 (code 60) carries Retry-After in seconds", async () => {
    const error = await fails(reply(429, { error_code: 60 }, { "Retry-After": "7" }));
    expect(error).toMatchObject({ name: "TOO_MANY_REQUESTS", code: 60, retryable: true });
    expect(error.retryAfterMs).toBe(7000);
  });

  it("429 carries Retry-After as an HTTP date", async () => {
    const at = new Date(Date.now() + 60_000).toUTCString();
    const error = await fails(reply(429, undefined, { "Retry-After": at }));
    expect(error.retryAfterMs).toBeGreaterThan(55_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  it("is undefined when absent", async () => {
    expect((await fails(reply(503))).retryAfterMs).toBeUndefined();
  });

  it.each([
    ["0", 0],
    ["2", 2000],
    [" 3 ", 3000],
    ["1.5", 1500],
    ["0.0011", 2],
    ["Wed, 21 Oct 2015 07:28:10 GMT", 10_000],
    ["Wed, 21 Oct 2015 07:27:00 GMT", 0], // in the past: no wait
    ["soon", undefined],
    ["-3", 0],
    ["", undefined],
  ])("parseRetryAfter(%j) = %s ms", (value, ms) => {
    expect(parseRetryAfter(value, Date.parse("Wed, 21 Oct 2015 07:28:00 GMT"))).toBe(ms);
  });

  it("parseRetryAfter(null) is undefined", () => {
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});

describe("through the client", () => {
  it.each([502, 504])("%i with an HTML body is retried, then succeeds", async (status) => {
    const fetch = fakeFetch((_, n) =>
      n === 1
        ? reply(status, "<html><h1>Bad Gateway</h1></html>", { "content-type": "text/html" })
        : tokenReply("tok"),
    );
    expect(await client({ fetch }).deleteUser("u1")).toEqual({
      token: "tok",
      tokens: [{ app: "0", token: "tok" }],
    });
    expect(fetch.calls).toHaveLength(2);
  });

  it("429 is retried after its Retry-After", async () => {
    const fetch = fakeFetch((_, n) =>
      n === 1 ? reply(429, { error_code: 60 }, { "Retry-After": "0.03" }) : tokenReply("tok"),
    );
    expect((await client({ fetch }).deleteUser("u1")).token).toBe("tok");
    expect(fetch.calls).toHaveLength(2);
    expect(fetch.calls[1]!.at - fetch.calls[0]!.at).toBeGreaterThanOrEqual(29);
  });

  it("418 is not retried", async () => {
    const fetch = fakeFetch(() => reply(418, "I'm a teapot"));
    const error = await caught<BatchApiError>(() => client({ fetch }).deleteUser("u1"));
    expect(error).toMatchObject({ name: "HTTP_418", status: 418, retryable: false, attempts: 1 });
    expect(fetch.calls).toHaveLength(1);
  });

  it("a 200 without a token is not retried", async () => {
    const fetch = fakeFetch(() => reply(200, {}));
    const error = await caught<BatchApiError>(() => client({ fetch }).deleteUser("u1"));
    expect(error).toMatchObject({ name: "UNEXPECTED_RESPONSE", status: 200, attempts: 1 });
    expect(fetch.calls).toHaveLength(1);
  });
});

describe("readText: a bounded read of the answer", () => {
  it("reads a small body whole, and only the first bytes of a giant one, cancelling the rest", async () => {
    expect(await readText(new Response('{"token":"t"}'))).toBe('{"token":"t"}');
    let pulled = 0;
    let cancelled = false;
    const giant = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(64 * 1024).fill(0x78));
      },
      cancel() {
        cancelled = true;
      },
    });
    const text = await readText(new Response(giant, { status: 502 }), 256 * 1024);
    expect(text.length).toBe(256 * 1024);
    expect(cancelled).toBe(true);
    expect(pulled).toBeLessThan(10);
  });

  it("maps a giant 502 page from its status without reading it all", async () => {
    const endless = new ReadableStream<Uint8Array>({
      pull: (controller) => controller.enqueue(new TextEncoder().encode("<html>".repeat(10_000))),
    });
    const error = await caught<BatchApiError>(() =>
      readToken(new Response(endless, { status: 502 }), (t) => String(t)),
    );
    expect(error.name).toBe("BAD_GATEWAY");
  });

  it("reads a fetch-like answer that has no stream through text()", async () => {
    const plain = { body: null, text: async () => "hello" } as unknown as Response;
    expect(await readText(plain)).toBe("hello");
  });
});
