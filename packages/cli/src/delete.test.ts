/** `runDelete` end to end in-process: the emulator as transport, fake streams, a fake prompt. */

import { appendFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { createEmulator, type Emulator } from "@batch-custom-data/emulator";
import { API_KEY as APP, REST_KEY as REST } from "@batch-custom-data/test-helpers";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { capturedOutput } from "../test/streams.js";
import type { Ask } from "./delete/confirm.js";
import { type DeleteFlags, runDelete } from "./delete.js";
import { createPrinter, createRedactor } from "./output.js";
import { createInterruption, type Interruption } from "./signals.js";
import { CliError, UsageError } from "./usage.js";

let dir: string;
let emulator: Emulator;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "bcd-delete-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  emulator = createEmulator({ apps: [APP], restApiKey: REST, processingDelayMs: 0 });
});
afterEach(() => {
  emulator.close();
});

const ids = (n: number) => Array.from({ length: n }, (_, i) => `u${i + 1}`);

interface Options {
  stdin?: string | Readable;
  answer?: boolean | undefined | "no terminal";
  stop?: Interruption;
  env?: Record<string, string>;
}

async function run(args: string[], flags: DeleteFlags, options: Options = {}) {
  const { stdout, stderr, ...written } = capturedOutput();
  const stdin =
    options.stdin instanceof Readable ? options.stdin : Readable.from([options.stdin ?? ""]);
  const env = {
    BATCH_API_KEY: APP,
    BATCH_REST_API_KEY: REST,
    BATCH_BASE_URL: "http://emulator.test/1.0",
    ...options.env,
  };
  const io = { stdout, stderr, stdin, env } as never;
  const print = createPrinter(io, createRedactor([APP, REST]));
  const questions: string[] = [];
  const ask: Ask = async (question) => {
    questions.push(question);
    return options.answer as boolean | undefined;
  };
  const stop = options.stop ?? createInterruption();
  let code: number | undefined;
  let error: unknown;
  try {
    code = await runDelete(args, flags, {
      io,
      print,
      stop,
      fetch: emulator.fetch,
      ask: () => (options.answer === "no terminal" ? undefined : ask),
    });
  } catch (e) {
    error = e;
  }
  await print.flush();
  stop.dispose();
  const [out, err] = [written.out(), written.err()];
  expect(out + err).not.toContain(REST);
  return { code, error, out, err, questions };
}

describe("runDelete", () => {
  it("asks before more than 1,000 ids, and runs when told yes", async () => {
    const r = await run(ids(1500), { json: true }, { answer: true });
    expect(r.questions).toEqual([
      "Delete the custom data of 1,500 ids from arguments in 1 app at emulator.test? This cannot be undone. [y/N] ",
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ confirmed: 1500 });
  });

  it("told no: exit 1, nothing sent; stopped at the prompt: 130, nothing sent", async () => {
    const no = await run(ids(1500), {}, { answer: false });
    expect(no.error).toBeInstanceOf(CliError);
    expect(no.error).toMatchObject({ exitCode: 1, message: "Not confirmed: nothing was sent." });
    const stopped = await run(ids(1500), {}, { answer: undefined });
    expect(stopped.error).toMatchObject({
      exitCode: 130,
      message: "Stopped by SIGINT before anything was sent: nothing was sent.",
    });
    const nobody = await run(ids(1500), {}, { answer: "no terminal" });
    expect(nobody.error).toBeInstanceOf(UsageError);
    expect(emulator.stats().requests).toBe(0);
  });

  it("a stop while reading ahead: the ids read are in the report, none sent", async () => {
    const stop = createInterruption();
    const stdin = new PassThrough();
    stdin.write("a\nb\n");
    const pending = run(["-"], { json: true }, { stdin, stop, answer: true });
    await new Promise((resolve) => setTimeout(resolve, 50));
    stop.stop("SIGTERM");
    const r = await pending;
    expect(r.code).toBe(143);
    expect(JSON.parse(r.out)).toMatchObject({ exitCode: 143, interrupted: true, confirmed: 0 });
    expect(emulator.stats().requests).toBe(0);
  });

  it("a stop while the file is counted: nothing sent, exit 130", async () => {
    const path = join(dir, "count.txt");
    await writeFile(path, "a\n");
    const stop = createInterruption();
    stop.stop("SIGINT");
    const r = await run([], { file: path }, { stop });
    expect(r.error).toMatchObject({ exitCode: 130 });
  });

  it("journal notes on stderr, unless --quiet", async () => {
    const journal = join(dir, "notes.journal");
    expect((await run(["a", "b"], { resume: journal, chunkSize: 1 })).code).toBe(0);
    appendFileSync(journal, '{"chunk":2,"ids":1,"sha');
    const noisy = await run(["a", "c"], { resume: journal });
    expect(noisy.err).toMatch(/journal: cut off a torn last line/);
    expect(noisy.err).toMatch(/journal: 1 chunk in .* did not match the input's ids: sent again/);
    appendFileSync(journal, '{"chunk":2,"ids":1,"sha');
    const quiet = await run(["a", "c"], { resume: journal, quiet: true });
    expect(quiet.code).toBe(0);
    expect(quiet.err).toBe("");
  });

  it("refuses NODE_DEBUG=http before reading anything", async () => {
    const r = await run(["a"], {}, { env: { NODE_DEBUG: "http" } });
    expect(r.error).toBeInstanceOf(UsageError);
    expect(emulator.stats().requests).toBe(0);
  });

  it("an unusable --resume path is a usage error", async () => {
    const r = await run(["a"], { resume: join(dir, "no", "such", "dir", "j") });
    expect(r.error).toBeInstanceOf(UsageError);
    expect((r.error as Error).message).toMatch(/--resume .*cannot use this file \(ENOENT\)/);
  });
});
