import { EventEmitter } from "node:events";
import v8 from "node:v8";
import vm from "node:vm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createInterruption, nextUnless } from "./signals.js";

afterEach(() => {
  vi.useRealTimers();
});

describe("createInterruption", () => {
  it("first signal stops, second aborts; SIGTERM exits 143; dispose removes the listeners", () => {
    const proc = new EventEmitter();
    const notes: string[] = [];
    const stop = createInterruption({ proc: proc as never, notify: (m) => notes.push(m) });
    expect(stop.signalName).toBeUndefined();
    proc.emit("SIGINT");
    expect(stop.stopSignal.aborted).toBe(true);
    expect(stop.abortSignal.aborted).toBe(false);
    expect(stop.signalName).toBe("SIGINT");
    expect(stop.exitCode).toBe(130);
    proc.emit("SIGINT");
    expect(stop.abortSignal.aborted).toBe(true);
    expect(stop.aborted).toBe("signal");
    expect(notes.join("")).toMatch(
      /SIGINT: stopping\. No new call or retry; calls in flight get 10 s to finish, then are aborted \(Ctrl-C aborts them now\)[\s\S]*SIGINT: aborting the calls in flight/,
    );
    proc.emit("SIGINT"); // a third changes nothing
    expect(notes).toHaveLength(2);
    stop.dispose();
    expect(proc.listenerCount("SIGINT")).toBe(0);
    expect(proc.listenerCount("SIGTERM")).toBe(0);

    const term = createInterruption({ proc: proc as never });
    proc.emit("SIGTERM");
    expect(term.exitCode).toBe(143);
    expect(term.signalName).toBe("SIGTERM");
    term.dispose();
  });

  it("aborts the calls in flight when the grace after the first signal runs out", () => {
    vi.useFakeTimers();
    const notes: string[] = [];
    const stop = createInterruption({ graceMs: 1500, notify: (m) => notes.push(m) });
    stop.stop("SIGTERM");
    expect(notes[0]).toMatch(/get 1.5 s to finish, .*a second signal aborts them now/);
    vi.advanceTimersByTime(1499);
    expect(stop.abortSignal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(stop.abortSignal.aborted).toBe(true);
    expect(stop.aborted).toBe("grace");
    expect(notes[1]).toMatch(/Calls still in flight 1.5 s after SIGTERM: aborting them/);
    stop.dispose();
  });

  it("no grace timer left once disposed", () => {
    vi.useFakeTimers();
    const stop = createInterruption({ graceMs: 1000 });
    stop.stop();
    stop.dispose();
    vi.advanceTimersByTime(5000);
    expect(stop.abortSignal.aborted).toBe(false);
  });
});

describe("nextUnless", () => {
  it("passes items through until the signal fires, and ends at once while a read waits", async () => {
    const controller = new AbortController();
    const waiting: AsyncIterator<string> = {
      next: () => new Promise<IteratorResult<string>>(() => {}), // stdin with nothing coming
    };
    const items = (async function* () {
      yield "a";
    })();
    expect(await nextUnless(items, controller.signal)).toEqual({ value: "a", done: false });
    const pending = nextUnless(waiting, controller.signal);
    controller.abort();
    expect(await pending).toBeUndefined();
    expect(await nextUnless(items, controller.signal)).toBeUndefined();
  });

  it("a read that fails is an error, unless the signal won first", async () => {
    const controller = new AbortController();
    const failing: AsyncIterator<string> = { next: () => Promise.reject(new Error("EIO")) };
    await expect(nextUnless(failing, controller.signal)).rejects.toThrow("EIO");
    let reject!: (e: Error) => void;
    const late: AsyncIterator<string> = {
      next: () => new Promise<IteratorResult<string>>((_, r) => (reject = r)),
    };
    const pending = nextUnless(late, controller.signal);
    controller.abort();
    reject(new Error("too late"));
    expect(await pending).toBeUndefined();
  });

  it("keeps nothing already read alive (stdin memory stays flat)", async () => {
    v8.setFlagsFromString("--expose-gc");
    const gc = vm.runInNewContext("gc") as () => void;
    const signal = new AbortController().signal;
    const refs: WeakRef<object>[] = [];
    const items = (async function* () {
      for (let i = 0; i < 2000; i++) yield { i };
    })();
    for (;;) {
      const next = await nextUnless(items, signal);
      if (!next || next.done) break;
      refs.push(new WeakRef(next.value));
    }
    // WeakRef targets stay alive until the microtask queue drains: let it, then collect.
    await new Promise((resolve) => setTimeout(resolve, 0));
    gc();
    const alive = refs.slice(0, 1000).filter((ref) => ref.deref() !== undefined).length;
    expect(alive).toBe(0);
  });
});
