import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { API_KEY, BASE, caught, client, idsOf, okFetch, REST_KEY } from "../test/helpers.js";
import { BatchValidationError } from "./errors.js";
import { assertId, encodeId, idProblem, MAX_ID_LENGTH, needsBulkRoute } from "./ids.js";
import { buildDeleteUserRequest } from "./request.js";

const target = { baseUrl: BASE, apiKey: "KEY", restApiKey: REST_KEY };
const singlePrefix = `${BASE}/KEY/data/users/`;

describe("idProblem / assertId", () => {
  it.each([
    [42, "is number, not a string"],
    [null, "is null, not a string"],
    [undefined, "is undefined, not a string"],
    [{}, "is object, not a string"],
    [["a"], "is object, not a string"],
    ["", "is empty"],
    ["a".repeat(1024), "is 1024 characters long (at most 1023)"],
    ["\uD800", "unpaired UTF-16 surrogate"],
    ["ok\uDC00", "unpaired UTF-16 surrogate"],
    ["\uDE00\uD83D", "unpaired UTF-16 surrogate"],
  ])("rejects %j", (id, problem) => {
    expect(idProblem(id)).toContain(problem);
    expect(() => assertId(id)).toThrow(BatchValidationError);
    expect(() => assertId(id, 7)).toThrow(/^The user id at position 7 /);
  });

  it.each([
    "a",
    " ",
    " a ",
    "a".repeat(MAX_ID_LENGTH),
    "😀".repeat(511), // 1022 UTF-16 code units
    "\uD83D\uDE00",
    "Ünïcödé",
    "\t\n",
  ])("accepts %j", (id) => {
    expect(idProblem(id)).toBeUndefined();
    expect(() => assertId(id)).not.toThrow();
  });

  it("measures the limit in UTF-16 code units: 1023 ok, 1024 too long", () => {
    expect(MAX_ID_LENGTH).toBe(1023);
    expect(idProblem("x".repeat(1023))).toBeUndefined();
    expect(idProblem("😀".repeat(512))).toMatch(/1024 characters/);
  });

  it("names the problem in a message a person can act on", async () => {
    const error = await caught<BatchValidationError>(() => assertId(""));
    expect(error).toBeInstanceOf(BatchValidationError);
    expect(error.name).toBe("BatchValidationError");
    expect(error.message).toMatch(/^The user id is empty: ids are non-empty strings/);
    expect(error.retryable).toBe(false);
    expect(error.attempts).toBe(0);
  });
});

describe("encodeId: one path segment, exactly as given", () => {
  it.each([
    ["a/b", "a%2Fb"],
    ["a?b", "a%3Fb"],
    ["a#b", "a%23b"],
    ["100%", "100%25"],
    ["%2e%2E", "%252e%252E"],
    ["../etc", "..%2Fetc"],
    ["...", "..."],
    ["a b", "a%20b"],
    [" a ", "%20a%20"],
    ["é", "%C3%A9"],
    ["日本", "%E6%97%A5%E6%9C%AC"],
    ["😀", "%F0%9F%98%80"],
    ["a\\b", "a%5Cb"],
    ["a+b&c=d;e", "a%2Bb%26c%3Dd%3Be"],
    ["user-42_x.y~z", "user-42_x.y~z"],
  ])("%j → %s", (id, segment) => {
    expect(encodeId(id)).toBe(segment);
    const request = buildDeleteUserRequest(target, id);
    expect(request.url).toBe(`${singlePrefix}${segment}`);
    expect(new URL(request.url).pathname).toBe(`/1.0/KEY/data/users/${segment}`);
    expect(decodeURIComponent(segment)).toBe(id);
  });

  it.each([".", ".."])("%j goes through the bulk route (no URL can carry it)", (id) => {
    expect(needsBulkRoute(id)).toBe(true);
    const request = buildDeleteUserRequest(target, id);
    expect(request.url).toBe(`${BASE}/KEY/data/users`);
    expect(request.body).toBe(JSON.stringify([id]));
  });

  it.each(["...", ". ", "a.", "%2E", ".%2E"])("%j is an ordinary segment", (id) => {
    expect(needsBulkRoute(id)).toBe(false);
  });

  it("never trims: ' a ' is sent as ' a ' on both routes", async () => {
    const fetch = okFetch();
    const c = client({ fetch });
    await c.deleteUser(" a ");
    await c.deleteUsers([" a ", "b\t"]);
    expect(fetch.calls[0]!.url).toBe(`${BASE}/${encodeURIComponent(API_KEY)}/data/users/%20a%20`);
    expect(fetch.calls[1]!.body).toBe('[" a ","b\\t"]');
    expect(idsOf(fetch.calls[1]!)).toEqual([" a ", "b\t"]);
  });

  const wellFormed = (unit: "grapheme" | "binary") =>
    fc
      .string({ unit, minLength: 1, maxLength: unit === "grapheme" ? 300 : 1023 })
      .filter((id) => id.length <= MAX_ID_LENGTH);

  it.each(["grapheme", "binary"] as const)(
    "property: any well-formed %s string round-trips as one segment",
    (unit) => {
      fc.assert(
        fc.property(wellFormed(unit), (id) => {
          expect(idProblem(id)).toBeUndefined();
          const request = buildDeleteUserRequest(target, id);
          if (needsBulkRoute(id)) {
            expect(JSON.parse(request.body!)).toEqual([id]);
            return;
          }
          const segment = request.url.slice(singlePrefix.length);
          expect(request.url.startsWith(singlePrefix)).toBe(true);
          expect(decodeURIComponent(segment)).toBe(id);
          expect(segment).not.toMatch(/[/?#]/);
          // The WHATWG parser (fetch's) keeps it whole: same segment, nothing resolved away.
          const parsed = new URL(request.url);
          expect(parsed.pathname.endsWith(`/data/users/${segment}`)).toBe(true);
          expect(parsed.pathname).toBe(`/1.0/KEY/data/users/${segment}`);
          expect(parsed.search).toBe("");
          expect(parsed.hash).toBe("");
        }),
        { numRuns: 300 },
      );
    },
  );

  it("property: ids made of URL-special characters round-trip", () => {
    const special = fc.string({
      unit: fc.constantFrom(".", "/", "?", "#", "%", " ", "\\", "2", "e", "E", "é", ";"),
      minLength: 1,
      maxLength: 12,
    });
    fc.assert(
      fc.property(special, (id) => {
        const request = buildDeleteUserRequest(target, id);
        if (id === "." || id === "..") {
          expect(request.url).toBe(`${BASE}/KEY/data/users`);
          return;
        }
        const segment = encodeId(id);
        expect(new URL(request.url).pathname).toBe(`/1.0/KEY/data/users/${segment}`);
        expect(decodeURIComponent(segment)).toBe(id);
      }),
      { numRuns: 500 },
    );
  });
});
