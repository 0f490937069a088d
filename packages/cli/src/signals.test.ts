import { EventEmitter } from "node:events";
import v8 from "node:v8";
import vm from "node:vm";
import { describe, expect, it } from "vitest";
import { createInterruption, interruptible } from "./signals.js";

describe("createInterruption", () => {
  it("first signal stops, second aborts; SIGTERM exits 143", () => {
    const proc = new EventEmitter();
    const notes: string[] = [];
    const stop = createInterruption(proc as never, (m) => notes.push(m));
    expect(stop.stopped).toBe(false);
    proc.emit("SIGINT");
    expect(stop.stopped).toBe(true);
    expect(stop.forced).toBe(false);
    expect(stop.signal.aborted).toBe(false);
    expect(stop.exitCode).toBe(130);
    proc.emit("SIGINT");
    expect(stop.forced).toBe(true);
    expect(stop.signal.aborted).toBe(true);
    expect(notes.join("")).toMatch(/finishing the calls in flight[\s\S]*aborting/);
    stop.dispose();
    expect(proc.listenerCount("SIGINT")).toBe(0);

    const term = createInterruption(proc as never);
    proc.emit("SIGTERM");
    expect(term.exitCode).toBe(143);
    expect(term.signalName).toBe("SIGTERM");
    term.dispose();
  });
});

describe("interruptible", () => {
  it("racing reads against Ctrl-C keeps nothing already read alive (stdin memory stays flat)", async () => {
    v8.setFlagsFromString("--expose-gc");
    const gc = vm.runInNewContext("gc") as () => void;
    const stop = createInterruption(new EventEmitter() as never);
    const refs: WeakRef<object>[] = [];
    const items = (async function* () {
      for (let i = 0; i < 2000; i++) yield { i };
    })();
    for await (const item of interruptible(items, stop, true)) {
      refs.push(new WeakRef(item));
      if (item.i !== 1999) continue;
      // WeakRef targets stay alive until the microtask queue drains: let it, then collect.
      await new Promise((resolve) => setTimeout(resolve, 0));
      gc();
    }
    const alive = refs.slice(0, 1000).filter((ref) => ref.deref() !== undefined).length;
    expect(alive).toBe(0);
    stop.dispose();
  });

  it("passes everything through when not stopped", async () => {
    const stop = createInterruption();
    for (const race of [false, true]) {
      const out: string[] = [];
      for await (const x of interruptible(["a", "b"], stop, race)) out.push(x);
      expect(out).toEqual(["a", "b"]);
    }
  });

  it("without racing, stops before the next item", async () => {
    const stop = createInterruption();
    const out: string[] = [];
    for await (const x of interruptible(["a", "b", "c"], stop)) {
      out.push(x);
      stop.stop();
    }
    expect(out).toEqual(["a"]);
  });

  it("ends at once when stopped, even while the source waits", async () => {
    const stop = createInterruption();
    let returned = false;
    const source: AsyncIterable<string> = {
      [Symbol.asyncIterator]: () => ({
        next: () => new Promise<IteratorResult<string>>(() => {}), // stdin with nothing coming
        return: async () => {
          returned = true;
          return { done: true, value: undefined };
        },
      }),
    };
    const it = interruptible(source, stop, true)[Symbol.asyncIterator]();
    const pending = it.next();
    stop.stop();
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(returned).toBe(true);
    expect(await it.next()).toEqual({ done: true, value: undefined });
    expect(await it.return!()).toEqual({ done: true, value: undefined });
  });
});
