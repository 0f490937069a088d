import { PassThrough } from "node:stream";
import type { IdSource } from "@batch-custom-data/node";
import { describe, expect, it } from "vitest";
import { UsageError } from "../usage.js";
import { type Ask, askOn, CONFIRM_ABOVE, confirm, peek, terminalAsk } from "./confirm.js";
import type { Input } from "./input.js";

const ids = (n: number, prefix = "u") => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

/** A stream of ids in batches, as readIds hands them on. */
async function* batches(...lists: string[][]) {
  for (const list of lists) yield list;
}

async function all(source: IdSource): Promise<string[]> {
  const out: string[] = [];
  for await (const item of source as AsyncIterable<string | string[]>) {
    out.push(...(typeof item === "string" ? [item] : item));
  }
  return out;
}

const input = (source: IdSource, total?: number): Input => ({
  ids: source,
  name: "ids.txt",
  total,
  close() {},
});

const never = new AbortController().signal;
const asking = (answer: boolean | undefined) => {
  const questions: string[] = [];
  const ask: Ask = async (question) => {
    questions.push(question);
    return answer;
  };
  return { questions, ask: () => ask };
};
const options = { yes: false, stopSignal: never, apps: 2, baseUrl: "https://api.batch.com/1.0" };

describe("confirm", () => {
  it(`asks before more than ${CONFIRM_ABOVE} ids, on the terminal`, async () => {
    const yes = asking(true);
    const big = input(ids(CONFIRM_ABOVE + 1), CONFIRM_ABOVE + 1);
    expect(await confirm(big, { ...options, ask: yes.ask })).toEqual({ go: true, input: big });
    expect(yes.questions).toEqual([
      "Delete the custom data of 1,001 ids from ids.txt in 2 apps at api.batch.com? This cannot be undone. [y/N] ",
    ]);
    const no = asking(false);
    expect(await confirm(big, { ...options, ask: no.ask })).toEqual({ go: false, why: "declined" });
    const stopped = asking(undefined);
    expect(await confirm(big, { ...options, ask: stopped.ask })).toEqual({
      go: false,
      why: "stopped",
    });
  });

  it(`does not ask up to ${CONFIRM_ABOVE} ids, nor with --yes`, async () => {
    const none = asking(false);
    const small = input(ids(CONFIRM_ABOVE), CONFIRM_ABOVE);
    expect(await confirm(small, { ...options, ask: none.ask })).toEqual({ go: true, input: small });
    const big = input(ids(5000), 5000);
    expect(await confirm(big, { ...options, yes: true, ask: none.ask })).toEqual({
      go: true,
      input: big,
    });
    expect(none.questions).toEqual([]);
  });

  it("where nobody can answer, refuses without --yes, saying so: it never waits", async () => {
    const big = input(ids(2000), 2000);
    const refused = confirm(big, { ...options, apps: undefined, ask: () => undefined });
    await expect(refused).rejects.toBeInstanceOf(UsageError);
    await expect(confirm(big, { ...options, ask: () => undefined })).rejects.toThrow(
      /^This would delete the custom data of 2,000 ids from ids\.txt in 2 apps at api\.batch\.com, and there is no terminal to confirm it on .*add --yes to go ahead\. Nothing was sent\.$/,
    );
  });

  it("an input of unknown length is read ahead just enough to know, then sent whole", async () => {
    const small = asking(true);
    const few = await confirm(input(batches(ids(3), ids(2, "v"))), { ...options, ask: small.ask });
    expect(small.questions).toEqual([]);
    expect(few.go && few.input.total).toBe(5);
    expect(await all((few as { input: Input }).input.ids)).toEqual([...ids(3), ...ids(2, "v")]);

    const many = asking(true);
    const source = batches(ids(600), ids(600, "v"), ids(600, "w"));
    const lots = await confirm(input(source), { ...options, ask: many.ask });
    expect(many.questions[0]).toMatch(
      /^Delete the custom data of more than 1,000 ids from ids\.txt \(not read to the end yet\) in 2 apps/,
    );
    expect(lots.go && lots.input.total).toBeUndefined();
    expect(await all((lots as { input: Input }).input.ids)).toHaveLength(1800);
  });

  it("stopped while reading ahead: the ids read so far come back, to be reported", async () => {
    const controller = new AbortController();
    let release!: () => void;
    const waiting = (async function* () {
      yield ["a", "b"];
      await new Promise<void>((resolve) => (release = resolve)); // stdin, nothing coming
      yield ["c"];
    })();
    const pending = confirm(input(waiting), {
      ...options,
      stopSignal: controller.signal,
      ask: asking(true).ask,
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    controller.abort();
    const result = await pending;
    expect(result).toMatchObject({ go: false, why: "stopped" });
    expect((result as { input: Input }).input.ids).toEqual(["a", "b"]);
    release();
  });
});

describe("peek", () => {
  it("arrays are known whole; a bad row found ahead is a usage error, nothing sent", async () => {
    expect(await peek(["a"], 10, never)).toEqual({
      ids: ["a"],
      count: 1,
      ended: true,
      stopped: false,
    });
    const failing = (async function* () {
      yield ["a"];
      const { IdReadError } = await import("@batch-custom-data/node");
      throw new IdReadError("stdin", 2, "not valid JSON.");
    })();
    await expect(peek(failing, 10, never)).rejects.toThrow(
      /^stdin line 2: not valid JSON\. Nothing was sent\.$/,
    );
    const broken = (async function* () {
      yield* [];
      throw new Error("EIO");
    })();
    await expect(peek(broken, 10, never)).rejects.toThrow("EIO");
  });

  it("a source left after the replay is closed with it", async () => {
    let closed = false;
    const source = (async function* () {
      try {
        for (let i = 0; ; i++) yield [`u${i}`, `v${i}`];
      } finally {
        closed = true;
      }
    })();
    const ahead = await peek(source, 3, never);
    expect(ahead.count).toBe(4);
    for await (const batch of ahead.ids as AsyncIterable<string[]>) {
      if (batch[0] === "u3") break;
    }
    expect(closed).toBe(true);
  });
});

describe("the terminal", () => {
  const tty = (isTTY: boolean) => Object.assign(new PassThrough(), { isTTY }) as never;

  it("asks only where stderr is a terminal and an answer can be read", () => {
    const opened: string[] = [];
    const openTty = () => {
      opened.push("tty");
      return new PassThrough();
    };
    expect(terminalAsk({ stdin: tty(true), stderr: tty(false) }, false, openTty)).toBeUndefined();
    expect(terminalAsk({ stdin: tty(true), stderr: tty(true) }, false, openTty)).toBeTypeOf(
      "function",
    );
    expect(opened).toEqual([]);
    // The ids come from stdin (or stdin is no terminal): the answer comes from /dev/tty.
    expect(terminalAsk({ stdin: tty(true), stderr: tty(true) }, true, openTty)).toBeTypeOf(
      "function",
    );
    expect(terminalAsk({ stdin: tty(false), stderr: tty(true) }, false, openTty)).toBeTypeOf(
      "function",
    );
    expect(opened).toEqual(["tty", "tty"]);
    expect(terminalAsk({ stdin: tty(false), stderr: tty(true) }, true, () => undefined)).toBe(
      undefined,
    );
  });

  it("reads y or yes as yes; anything else, or the end of input, as no", async () => {
    for (const [typed, answer] of [
      ["y\n", true],
      ["YES\n", true],
      [" yes \n", true],
      ["n\n", false],
      ["\n", false],
      ["yess\n", false],
    ] as const) {
      const input = new PassThrough();
      const output = new PassThrough();
      let released = false;
      const pending = askOn(input, output, () => (released = true))("Go? ", never);
      input.write(typed);
      expect(await pending, JSON.stringify(typed)).toBe(answer);
      expect(released).toBe(true);
      expect(output.read()?.toString()).toContain("Go? ");
    }
    const ended = new PassThrough();
    const pending = askOn(ended, new PassThrough(), () => {})("Go? ", never);
    ended.end();
    expect(await pending).toBe(false);
  });

  it("a signal, or Ctrl-C at the prompt, is a stop", async () => {
    const controller = new AbortController();
    const pending = askOn(new PassThrough(), new PassThrough(), () => {})(
      "Go? ",
      controller.signal,
    );
    controller.abort();
    expect(await pending).toBeUndefined();
    const input = new PassThrough();
    const ctrlC = askOn(input, new PassThrough(), () => {})("Go? ", never);
    input.write("\x03");
    expect(await ctrlC).toBeUndefined();
  });
});
