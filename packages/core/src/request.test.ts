import { describe, expect, it } from "vitest";
import { API_KEY, client, okFetch, REST_KEY } from "../test/helpers.js";
import { buildDeleteUserRequest, buildDeleteUsersRequest } from "./request.js";

const target = {
  baseUrl: "https://api.batch.com/1.0",
  apiKey: "APP_KEY",
  restApiKey: "REST_KEY",
};

describe("request builder", () => {
  it("builds the single delete exactly as the documented curl example", () => {
    expect(buildDeleteUserRequest(target, "user1")).toEqual({
      method: "DELETE",
      url: "https://api.batch.com/1.0/APP_KEY/data/users/user1",
      displayUrl: "https://api.batch.com/1.0/***/data/users/{id}",
      id: "user1",
      headers: { "Content-Type": "application/json", "X-Authorization": "REST_KEY" },
      body: undefined,
    });
  });

  it("builds the bulk delete with the ids as a JSON array body", () => {
    const request = buildDeleteUsersRequest(target, ["user1", "user2", "user3"]);
    expect(request).toEqual({
      method: "DELETE",
      url: "https://api.batch.com/1.0/APP_KEY/data/users",
      displayUrl: "https://api.batch.com/1.0/***/data/users",
      headers: { "Content-Type": "application/json", "X-Authorization": "REST_KEY" },
      body: '["user1","user2","user3"]',
    });
  });

  it("escapes ids in the JSON body, and percent-encodes a key with URL-special characters", () => {
    const request = buildDeleteUsersRequest({ ...target, apiKey: "a/b?c" }, ['q"uote', "é\n"]);
    expect(request.body).toBe('["q\\"uote","é\\n"]');
    expect(request.url).toBe("https://api.batch.com/1.0/a%2Fb%3Fc/data/users");
    expect(request.displayUrl).toBe("https://api.batch.com/1.0/***/data/users");
  });

  it("the displayUrl never holds the key, raw or encoded", () => {
    const apiKey = "k+y/Z=1";
    for (const request of [
      buildDeleteUserRequest({ ...target, apiKey }, "u"),
      buildDeleteUsersRequest({ ...target, apiKey }, ["u"]),
    ]) {
      expect(request.displayUrl).toContain("/***/data/users");
      expect(request.displayUrl).not.toContain(apiKey);
      expect(request.displayUrl).not.toContain(encodeURIComponent(apiKey));
      expect(request.url).toContain(encodeURIComponent(apiKey));
    }
  });

  it.each([
    ["http://127.0.0.1:9/1.0", "http://127.0.0.1:9/1.0"],
    ["http://127.0.0.1:9/1.0/", "http://127.0.0.1:9/1.0"],
    ["http://127.0.0.1:9/1.0//", "http://127.0.0.1:9/1.0"],
    ["http://127.0.0.1:9", "http://127.0.0.1:9"],
    ["http://127.0.0.1:9/", "http://127.0.0.1:9"],
    ["http://127.0.0.1:9/proxy/batch/1.0/", "http://127.0.0.1:9/proxy/batch/1.0"],
    ["HTTP://127.0.0.1:9/1.0", "http://127.0.0.1:9/1.0"],
  ])("baseUrl %s: one slash before the key", async (baseUrl, base) => {
    const fetch = okFetch();
    const c = client({ baseUrl, fetch });
    await c.deleteUser("u1");
    await c.deleteUsers(["u1"]);
    const key = encodeURIComponent(API_KEY);
    expect(fetch.calls.map((call) => call.url)).toEqual([
      `${base}/${key}/data/users/u1`,
      `${base}/${key}/data/users`,
    ]);
  });

  it("sends DELETE with both headers and the JSON body through fetch", async () => {
    const fetch = okFetch();
    const c = client({ fetch });
    await c.deleteUser("u1");
    await c.deleteUsers(["u1", "u2"]);
    for (const call of fetch.calls) {
      expect(call.method).toBe("DELETE");
      expect(call.headers).toEqual({
        "Content-Type": "application/json",
        "X-Authorization": REST_KEY,
      });
      expect(call.signal).toBeInstanceOf(AbortSignal);
    }
    expect(fetch.calls[0]!.body).toBeUndefined();
    expect(fetch.calls[1]!.body).toBe('["u1","u2"]');
  });
});
