// Retries, timeouts and aborts: what a flaky network or an impatient caller does.
import { deepEqual, equal, has, isError, ok, rejects } from "./assert.js";
import { client, FAST_RETRY, fakeFetch, silentFetch, withEmulator } from "./helpers.js";

export const resilienceCases = [
  {
    name: "retry: a 503 then a 200 resolves after 2 attempts",
    fn: (ctx) =>
      withEmulator(ctx, {}, async (emulator) => {
        emulator.failNext("maintenance");
        const { token } = await client(ctx, { fetch: emulator.fetch }).deleteUser("user-1");
        ok(typeof token === "string" && token, "a token");
        deepEqual(
          emulator.log().map((entry) => entry.status),
          [503, 200],
          "statuses",
        );
      }),
  },
  {
    name: "retry: a dropped connection is retried",
    fn: (ctx) =>
      withEmulator(ctx, {}, async (emulator) => {
        emulator.failNext("reset");
        await client(ctx, { fetch: emulator.fetch }).deleteUser("user-1");
        deepEqual(
          emulator.log().map((entry) => entry.fault ?? entry.status),
          ["reset", 200],
          "attempts",
        );
      }),
  },
  {
    name: "retry: a 401 is never retried; a lasting 503 gives up after `retries`",
    fn: (ctx) =>
      withEmulator(ctx, {}, async (emulator) => {
        const denied = client(ctx, { fetch: emulator.fetch, restApiKey: "wrong-rest-key" });
        has(await rejects(denied.deleteUser("user-1")), { status: 401, attempts: 1 });
        emulator.setFaults({ maintenance: 1 });
        const error = await rejects(client(ctx, { fetch: emulator.fetch }).deleteUser("user-1"));
        has(error, { name: "MAINTENANCE_ERROR", attempts: FAST_RETRY.retries + 1 });
        equal(emulator.stats().requests, 1 + FAST_RETRY.retries + 1, "requests sent");
      }),
  },
  {
    name: "timeout: a fetch that never answers ends with BatchTimeoutError",
    fn: async (ctx) => {
      const fetch = silentFetch();
      const started = Date.now();
      const error = await rejects(
        client(ctx, { fetch, timeoutMs: 50, retry: false }).deleteUser("user-1"),
      );
      isError(error, ctx.core.BatchTimeoutError, { retryable: true, attempts: 1 });
      ok(Date.now() - started < 5000, "gave up within the timeout");
      // The runtime must be told to drop the request, not just be ignored.
      equal(fetch.inits[0].signal.aborted, true, "fetch's signal aborted");
    },
  },
  {
    name: "timeout: the emulator's hang fault ends with BatchTimeoutError",
    fn: (ctx) =>
      withEmulator(ctx, {}, async (emulator) => {
        emulator.failNext("hang");
        const c = client(ctx, { fetch: emulator.fetch, timeoutMs: 50, retry: false });
        isError(await rejects(c.deleteUser("user-1")), ctx.core.BatchTimeoutError);
      }),
  },
  {
    name: "abort: aborting a call in flight rejects with BatchAbortError",
    fn: async (ctx) => {
      const controller = new AbortController();
      const c = client(ctx, { fetch: silentFetch() });
      const call = c.deleteUser("user-1", { signal: controller.signal });
      setTimeout(() => controller.abort(), 20);
      isError(await rejects(call), ctx.core.BatchAbortError, { retryable: false });
    },
  },
  {
    name: "abort: an already aborted signal sends nothing",
    fn: async (ctx) => {
      const fetch = fakeFetch(200, '{"token":"t"}');
      const c = client(ctx, { fetch });
      const signal = AbortSignal.abort();
      isError(await rejects(c.deleteUser("user-1", { signal })), ctx.core.BatchAbortError);
      const error = await rejects(c.deleteUsers(["user-1", "user-2"], { signal }));
      isError(error, ctx.core.BatchAbortError);
      has(error.report, { confirmed: 0 }, "report");
      equal(fetch.calls, 0, "calls sent");
    },
  },
  {
    name: "stop: a graceful stop sends nothing new and reports the rest as not attempted",
    fn: (ctx) =>
      withEmulator(ctx, {}, async (emulator) => {
        const stopper = new AbortController();
        let calls = 0;
        const fetch = (url, init) => {
          if (++calls === 2) stopper.abort(); // while the second call is in flight
          return emulator.fetch(url, init);
        };
        const ids = Array.from({ length: 50 }, (_, i) => `user-${i}`);
        const c = client(ctx, { fetch, chunkSize: 10, concurrency: 1 });
        const error = await rejects(c.deleteUsers(ids, { stopSignal: stopper.signal }));
        isError(error, ctx.core.BatchDeleteError);
        ok(ctx.core.isBatchDeleteError(error), "isBatchDeleteError");
        has(error.report, { requested: 50, confirmed: 20, failed: 30, complete: true });
        equal(error.report.stoppedBy.reason, "stop", "stoppedBy.reason");
        deepEqual(error.report.failedIds, ids.slice(20), "failedIds");
        ok(
          error.report.failures.every((f) => !f.attempted && f.error.name === "STOPPED"),
          "the rest is not attempted",
        );
        equal(emulator.stats().requests, 2, "requests sent");
      }),
  },
  {
    name: "stop: the circuit breaker stops a run against a server that is down",
    fn: (ctx) =>
      withEmulator(ctx, {}, async (emulator) => {
        emulator.setFaults({ maintenance: 1 });
        const retry = { retries: 1, baseDelayMs: 1, maxDelayMs: 2 };
        const c = client(ctx, { fetch: emulator.fetch, chunkSize: 10, concurrency: 2, retry });
        const ids = Array.from({ length: 1000 }, (_, i) => `user-${i}`);
        const error = await rejects(c.deleteUsers(ids, { maxConsecutiveFailures: 3 }));
        isError(error, ctx.core.BatchDeleteError);
        equal(error.report.stoppedBy.reason, "breaker", "stoppedBy.reason");
        equal(error.report.stoppedBy.error.name, "MAINTENANCE_ERROR", "the breaker's error");
        has(error.report, { requested: 1000, confirmed: 0, failed: 1000 });
        // 3 calls tripped it, a 4th was in flight beside them: 2 attempts each at most.
        ok(emulator.stats().requests <= 8, `${emulator.stats().requests} requests`);
      }),
  },
];
