import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { APP, cli, REST, scanOutputsForKeys, start, waitFor } from "./helpers.js";

// Keys given to the emulator never appear in any output (made-up ones are printed on purpose).
scanOutputsForKeys();

/** Starts `batch-custom-data emulator --port 0 ...args`; resolves once its banner is out. */
async function startEmulator(args: string[]) {
  const run = start(["emulator", "--port", "0", ...args]);
  await waitFor(() => run.stdout().includes("Ctrl-C stops it."), 10_000, "the banner");
  return run;
}

/** The keys the tests give the emulator. */
const KEYS = ["--api-key", APP, "--rest-api-key", REST];

/** The printed URL with the key put in, percent-encoded as a client puts it. */
const withKey = (url: string) => url.replace("$BATCH_API_KEY", encodeURIComponent(APP));

/** Parses the curl line the emulator command prints. */
function curlLine(stdout: string) {
  const line = stdout.split("\n").find((l) => l.trim().startsWith("curl "));
  expect(line).toBeDefined();
  const [, restKey] = /X-Authorization: ([^"]+)"/.exec(line!)!;
  const [, url] = /-X DELETE "([^"]+)"/.exec(line!)!;
  return { restKey: restKey!, url: url! };
}

describe("batch-custom-data emulator", () => {
  it("makes up demo keys, prints them with a curl line that works, stops on SIGINT", async () => {
    const run = await startEmulator(["--users", "5"]);
    const out = run.stdout();
    expect(out).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+/);
    expect(out).toMatch(/API key: {7}demo_app_[0-9a-f]{24} \(made up for this run\)/);
    expect(out).toMatch(
      /export BATCH_BASE_URL=http:\/\/127\.0\.0\.1:\d+\/1\.0 BATCH_API_KEY=demo_app_/,
    );
    const { restKey, url } = curlLine(out);
    expect(restKey).toMatch(/^demo_rest_/);
    expect(url).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/1\.0\/demo_app_[0-9a-f]+\/data\/users\/user1$/,
    );
    // The documented single-delete call, as printed.
    const response = await fetch(url, {
      method: "DELETE",
      headers: { "Content-Type": "application/json", "X-Authorization": restKey },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ token: expect.any(String) });

    // The CLI works against it with the printed settings.
    const [, baseUrl, appKey] = /export BATCH_BASE_URL=(\S+) BATCH_API_KEY=(\S+)/.exec(out)!;
    const del = await cli(["delete", "user-2", "user-3", "--json"], {
      env: { BATCH_BASE_URL: baseUrl, BATCH_API_KEY: appKey, BATCH_REST_API_KEY: restKey },
    });
    expect(del.code).toBe(0);

    run.child.kill("SIGINT");
    const result = await run.done;
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("SIGINT: stopping the emulator.");
  });

  it("never prints keys it was given; faults and processing delay are applied; SIGTERM stops it", async () => {
    const run = await startEmulator([
      "--api-key",
      APP,
      `--rest-api-key=${REST}`,
      "--fault-rate",
      "1",
      "--faults",
      "503",
      "--seed",
      "3",
      "--processing-delay",
      "5",
    ]);
    const out = run.stdout();
    expect(out).toContain("API keys:      1 given (not shown)");
    expect(out).toContain('faults:        {"maintenance":1}, seed 3');
    const { url } = curlLine(out);
    expect(url).toContain("/$BATCH_API_KEY/data/users/user1");
    const response = await fetch(withKey(url), {
      method: "DELETE",
      headers: { "X-Authorization": REST },
    });
    expect(response.status).toBe(503);
    run.child.kill("SIGTERM");
    const result = await run.done;
    expect(result.code).toBe(0);
    for (const key of [APP, REST]) expect(result.stdout + result.stderr).not.toContain(key);
  });

  it("--cors: answers the listed origins' preflights, echoes them, nothing for others", async () => {
    const run = await startEmulator([
      ...KEYS,
      "--cors",
      "http://127.0.0.1:5173, https://app.example",
    ]);
    const out = run.stdout();
    expect(out).toContain("CORS:          http://127.0.0.1:5173, https://app.example");
    const { url } = curlLine(out);
    const target = withKey(url);
    const preflight = (origin: string) =>
      fetch(target, {
        method: "OPTIONS",
        headers: {
          Origin: origin,
          "Access-Control-Request-Method": "DELETE",
          "Access-Control-Request-Headers": "content-type,x-authorization",
        },
      });
    const allowed = await preflight("http://127.0.0.1:5173");
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get("access-control-allow-origin")).toBe("http://127.0.0.1:5173");
    expect(allowed.headers.get("access-control-allow-methods")).toMatch(/DELETE/);
    expect(allowed.headers.get("access-control-allow-headers")).toMatch(/X-Authorization/i);
    expect(allowed.headers.get("vary")).toMatch(/Origin/);
    const call = await fetch(target, {
      method: "DELETE",
      headers: { Origin: "https://app.example", "X-Authorization": REST },
    });
    expect(call.status).toBe(200);
    expect(call.headers.get("access-control-allow-origin")).toBe("https://app.example");
    const other = await preflight("http://127.0.0.1:5174");
    expect(other.status).toBe(404);
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
    run.child.kill("SIGINT");
    expect((await run.done).code).toBe(0);
  });

  it("--cors '*' allows any origin", async () => {
    const run = await startEmulator(["--cors", "*"]);
    expect(run.stdout()).toContain("CORS:          any origin (*)");
    const { url } = curlLine(run.stdout());
    const r = await fetch(url, { method: "OPTIONS", headers: { Origin: "http://x.test" } });
    expect(r.status).toBe(204);
    expect(r.headers.get("access-control-allow-origin")).toBe("*");
    run.child.kill("SIGINT");
    expect((await run.done).code).toBe(0);
  });

  it("--rate-limit: 429 with Retry-After above the rate, counted in /_emulator/stats", async () => {
    const run = await startEmulator([...KEYS, "--rate-limit", "0.5", "--rate-burst", "2"]);
    expect(run.stdout()).toContain(
      "rate limit:    0.5 calls/s (burst 2), then 429 with Retry-After",
    );
    const { url } = curlLine(run.stdout());
    const target = withKey(url);
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 4; i++) {
      const r = await fetch(target, { method: "DELETE", headers: { "X-Authorization": REST } });
      statuses.push(r.status);
      if (r.status === 429) retryAfter = r.headers.get("retry-after");
    }
    // At 0.5 calls/s the bucket gets no new token within this loop's few milliseconds.
    expect(statuses).toEqual([200, 200, 429, 429]);
    expect(retryAfter).toBe("2");
    const stats = await fetch(new URL("/_emulator/stats", target), {
      headers: { "X-Authorization": REST },
    }).then((r) => r.json());
    expect(stats).toMatchObject({ rateLimited: 2, statuses: { "200": 2, "429": 2 } });
    run.child.kill("SIGINT");
    expect((await run.done).code).toBe(0);
  });

  it("usage errors exit 2", async () => {
    const cases: [string[], RegExp][] = [
      [
        ["emulator", "--cors", "http://127.0.0.1:5173/"],
        /--cors: "http:\/\/127.0.0.1:5173\/" is not an origin/,
      ],
      [["emulator", "--cors", " , "], /--cors needs at least one origin/],
      [
        ["emulator", "--rate-limit", "0"],
        /--rate-limit must be a number of calls per second above 0/,
      ],
      [["emulator", "--rate-limit", "fast"], /--rate-limit must be/],
      [["emulator", "--rate-burst", "5"], /--rate-burst needs --rate-limit/],
      [["emulator", "--rate-limit", "5", "--rate-burst", "0"], /--rate-burst must be/],
      [["emulator", "--faults", "503"], /--faults needs --fault-rate/],
      [["emulator", "--fault-rate", "2"], /--fault-rate must be a number from 0 to 1/],
      [["emulator", "--fault-rate", "0.1", "--faults", "418"], /unknown fault "418"/],
      [["emulator", "--port", "70000"], /--port must be/],
      [["emulator", "--api-key", APP, "--rest-api-key", APP], /must differ/],
    ];
    // Side by side: each is a process start.
    const runs = await Promise.all(cases.map(([args]) => cli(args)));
    runs.forEach((run, i) => {
      const [args, message] = cases[i]!;
      expect(run.code, args.join(" ")).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stdout + run.stderr).not.toContain(APP);
    });
  });

  it("a port in use: exit 2", async () => {
    const first = await startEmulator([]);
    const port = /127\.0\.0\.1:(\d+)/.exec(first.stdout())![1]!;
    const second = await cli(["emulator", "--port", port]);
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/Port \d+ is in use/);
    first.child.kill("SIGINT");
    expect((await first.done).code).toBe(0);
  });
});

describe("progress on a terminal", () => {
  const script = "/usr/bin/script";
  it.skipIf(!existsSync(script))(
    "draws a bar with an ETA on a TTY; NO_COLOR turns colour off",
    async () => {
      const { serveEmulator, CLI, env } = await import("./helpers.js");
      const served = await serveEmulator({ maxIdLength: 3 });
      try {
        const shell = (extra: string) =>
          cli([], {
            command: [
              script,
              "-qfec",
              `${extra} ${process.execPath} ${CLI} delete aa bb cccc --chunk-size 1 --concurrency 1 > /dev/null`,
              "/dev/null",
            ],
            env: env(served),
          });
        const colour = await shell("");
        expect(colour.stdout).toMatch(
          /deleting .*[█░].* \d+% \| 3\/3 ids \| 2 confirmed \| .*1.* failed \| \d+ ids\/s \| ETA/,
        );
        expect(colour.stdout).toContain("\x1b[31m1\x1b[0m");
        const plain = await shell("NO_COLOR=1");
        expect(plain.stdout).toMatch(/3\/3 ids \| 2 confirmed \| 1 failed/);
        expect(plain.stdout).not.toContain("\x1b[31m");
      } finally {
        await served.close();
      }
    },
  );
});
