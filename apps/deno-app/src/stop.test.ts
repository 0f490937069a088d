import assert from "node:assert/strict";
import { listenForStop, type SignalSource } from "./stop.ts";

/** Signals sent by the test instead of the process. */
function fakeSignals() {
  const listeners = new Map<string, Set<() => void>>();
  const signals: SignalSource = {
    addSignalListener(name, listener) {
      listeners.set(name, (listeners.get(name) ?? new Set()).add(listener));
    },
    removeSignalListener(name, listener) {
      listeners.get(name)?.delete(listener);
    },
  };
  return {
    signals,
    send: (name: "SIGINT" | "SIGTERM") => {
      for (const listener of listeners.get(name) ?? []) listener();
    },
    listening: () => [...listeners.values()].reduce((n, set) => n + set.size, 0),
  };
}

Deno.test("the first signal stops (no abort yet); a second aborts the calls in flight", () => {
  const fake = fakeSignals();
  const messages: string[] = [];
  const stop = listenForStop({ notify: (m) => messages.push(m), signals: fake.signals });
  try {
    assert.equal(fake.listening(), 2, "SIGINT and SIGTERM");
    assert.equal(stop.stopSignal.aborted, false);
    fake.send("SIGINT");
    assert.equal(stop.stopSignal.aborted, true);
    assert.equal(stop.abortSignal.aborted, false, "calls in flight get their grace");
    assert.equal(stop.signalName, "SIGINT");
    assert.equal(stop.exitCode, 130);
    assert.match(messages[0] ?? "", /^SIGINT: finishing the calls in flight \(at most 10 s\)/);
    fake.send("SIGTERM");
    assert.equal(stop.abortSignal.aborted, true);
    assert.equal(stop.aborted, "signal");
    assert.equal(stop.exitCode, 130, "the first signal names the exit code");
    assert.equal(messages[1], "SIGTERM: aborting the calls in flight.");
  } finally {
    stop.dispose();
  }
  assert.equal(fake.listening(), 0, "dispose removes the listeners");
});

Deno.test("calls still in flight when the grace runs out are aborted; SIGTERM exits 143", async () => {
  const fake = fakeSignals();
  const messages: string[] = [];
  const stop = listenForStop({
    notify: (m) => messages.push(m),
    signals: fake.signals,
    graceMs: 50,
  });
  // The grace's timer is unref'd (alone, it must not hold the process): this one stands in
  // for the calls in flight that keep the app running.
  const inFlight = setTimeout(() => {}, 10_000);
  try {
    fake.send("SIGTERM");
    assert.equal(stop.exitCode, 143);
    await new Promise((resolve) => stop.abortSignal.addEventListener("abort", resolve));
    assert.equal(stop.aborted, "grace");
    assert.equal(messages[1], "Calls still in flight 0.05 s after SIGTERM: aborting them.");
  } finally {
    clearTimeout(inFlight);
    stop.dispose();
  }
});

Deno.test("after dispose, the grace no longer runs and signals are not ours", async () => {
  const fake = fakeSignals();
  const stop = listenForStop({ notify: () => {}, signals: fake.signals, graceMs: 20 });
  fake.send("SIGINT");
  stop.dispose();
  fake.send("SIGINT");
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(stop.abortSignal.aborted, false);
});
