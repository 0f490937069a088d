/**
 * `batch-custom-data emulator` in-process (`main` with fake streams and a fake process for
 * the signals): the same paths as test/emulator.e2e.test.ts, for quick feedback and coverage.
 */

import { EventEmitter } from "node:events";
import { Readable } from "node:stream";
import { API_KEY as APP, REST_KEY as REST } from "@batch-custom-data/test-helpers";
import { describe, expect, it } from "vitest";
import { capturedOutput } from "../test/streams.js";
import { parseCors, parseFaults } from "./emulator.js";
import { main } from "./program.js";

/** Starts the command; resolves once its banner is out, with a way to stop it. */
async function start(args: string[]) {
  const { stdout, stderr, out, err } = capturedOutput();
  const proc = new EventEmitter();
  const done = main({
    io: { stdout, stderr, stdin: Readable.from([]), env: {} } as never,
    argv: ["emulator", "--port", "0", ...args],
    proc: proc as never,
  });
  const deadline = Date.now() + 10_000;
  while (!out().includes("Ctrl-C stops it.") && Date.now() < deadline) {
    const ended = await Promise.race([done, new Promise((r) => setTimeout(r, 10))]);
    if (typeof ended === "number") break;
  }
  const baseUrl = /base URL: +(\S+)/.exec(out())?.[1];
  return {
    baseUrl,
    out,
    err,
    done,
    stop: async (signal: "SIGINT" | "SIGTERM" = "SIGINT") => {
      proc.emit(signal);
      return done;
    },
  };
}

describe("emulator command (in-process)", () => {
  it("serves with --cors and --rate-limit, prints them, stops on SIGTERM", async () => {
    const run = await start([
      "--api-key",
      APP,
      "--rest-api-key",
      REST,
      "--cors",
      "http://127.0.0.1:5173",
      "--rate-limit",
      "1",
      "--rate-burst",
      "1",
      "--users",
      "2",
    ]);
    expect(run.out()).toContain("CORS:          http://127.0.0.1:5173");
    expect(run.out()).toContain("rate limit:    1 calls/s (burst 1), then 429 with Retry-After");
    expect(run.out()).toContain("users:         user-1 … user-2 in each app");
    const url = `${run.baseUrl}/${encodeURIComponent(APP)}/data/users/user-1`;
    const init = {
      method: "DELETE",
      headers: { "X-Authorization": REST, Origin: "http://127.0.0.1:5173" },
    };
    const first = await fetch(url, init);
    expect(first.status).toBe(200);
    expect(first.headers.get("access-control-allow-origin")).toBe("http://127.0.0.1:5173");
    const second = await fetch(url, init);
    expect(second.status).toBe(429);
    expect(second.headers.get("retry-after")).toBe("1");
    expect(await run.stop("SIGTERM")).toBe(0);
    expect(run.err()).toContain("SIGTERM: stopping the emulator.");
    expect(run.out() + run.err()).not.toContain(APP);
    expect(run.out() + run.err()).not.toContain(REST);
  });

  it("makes up keys and prints them with --cors '*', faults and a seed", async () => {
    const run = await start([
      "--cors",
      "*",
      "--fault-rate",
      "0.5",
      "--faults",
      "503",
      "--seed",
      "3",
    ]);
    expect(run.out()).toMatch(/API key: {7}demo_app_[0-9a-f]{24} \(made up for this run\)/);
    expect(run.out()).toContain("CORS:          any origin (*)");
    expect(run.out()).toContain('faults:        {"maintenance":0.5}, seed 3');
    expect(await run.stop()).toBe(0);
  });

  it.each([
    [["--cors", "http://127.0.0.1:5173/"], /--cors: "http:\/\/127.0.0.1:5173\/" is not an origin/],
    [["--cors", ","], /--cors needs at least one origin/],
    [["--rate-limit", "-1"], /--rate-limit must be a number of calls per second above 0/],
    [["--rate-burst", "3"], /--rate-burst needs --rate-limit/],
    [["--api-key", APP, "--rest-api-key", APP], /must differ/],
  ])("exits 2 on %j", async (args, message) => {
    const run = await start(args);
    expect(await run.done).toBe(2);
    expect(run.err()).toMatch(message);
  });
});

describe("parseCors", () => {
  it("splits on commas, trims, and takes * as any origin", () => {
    expect(parseCors(" http://a.test , https://b.test:8443 ,")).toEqual([
      "http://a.test",
      "https://b.test:8443",
    ]);
    expect(parseCors("http://a.test,*")).toBe(true);
  });
});

describe("parseFaults", () => {
  it("shares the rate between the kinds listed", () => {
    expect(parseFaults(0.3, "500, 429,500")).toEqual({ serverError: 0.15, tooManyRequests: 0.15 });
    expect(parseFaults(undefined, undefined)).toEqual({});
  });
});
