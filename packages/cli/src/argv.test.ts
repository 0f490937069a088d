import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertUtf8Args, readRawArgs } from "./argv.js";
import { UsageError } from "./usage.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "bcd-argv-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p) : Buffer.from(p))));
/** What Node makes of `raw`: each invalid sequence becomes U+FFFD. */
const decoded = (raw: Uint8Array) => new TextDecoder().decode(raw);

describe("readRawArgs", () => {
  it("reads the last arguments of a NUL-separated command line", async () => {
    const file = join(dir, "cmdline");
    await writeFile(file, bytes("node\0/x/cli.js\0delete\0u", [0xff], "x\0"));
    const raw = readRawArgs(2, file);
    expect(raw?.map((b) => Buffer.from(b))).toEqual([bytes("delete"), bytes("u", [0xff], "x")]);
    expect(readRawArgs(0, file)).toEqual([]);
    expect(readRawArgs(9, file)).toBeUndefined();
    expect(readRawArgs(1, join(dir, "missing"))).toBeUndefined();
  });
});

describe("assertUtf8Args", () => {
  const bad = bytes("u", [0xff], "x");
  const argv = ["delete", "u1", decoded(bad)];

  it("refuses an argument whose bytes are not UTF-8, naming its position, not its content", () => {
    const raw = [bytes("delete"), bytes("u1"), bad];
    expect(() => assertUtf8Args(argv, raw)).toThrow(UsageError);
    expect(() => assertUtf8Args(argv, raw)).toThrow(/^Argument 3 is not valid UTF-8/);
    try {
      assertUtf8Args(argv, raw);
    } catch (error) {
      expect((error as Error).message).not.toContain("u\uFFFDx");
    }
  });

  it("accepts a U+FFFD the user typed, when the bytes say so", () => {
    const typed = ["delete", "u\uFFFDx"];
    expect(() =>
      assertUtf8Args(
        typed,
        typed.map((a) => bytes(a)),
      ),
    ).not.toThrow();
    expect(() =>
      assertUtf8Args(["delete", "plain"], [bytes("delete"), bytes("plain")]),
    ).not.toThrow();
  });

  it("without usable bytes, refuses any U+FFFD: it cannot tell a typed one from a replaced byte", () => {
    expect(() => assertUtf8Args(["delete", "u\uFFFDx"], undefined)).toThrow(
      /^Argument 2 holds U\+FFFD .* put this id in a file/,
    );
    // Bytes that are not these arguments (another count, other text) are not trusted.
    const other = [bytes("delete"), bytes("zzz")];
    expect(() => assertUtf8Args(["delete", "u\uFFFDx"], other)).toThrow(/holds U\+FFFD/);
    expect(() => assertUtf8Args(["delete", "u\uFFFDx"], [bytes("delete")])).toThrow(
      /holds U\+FFFD/,
    );
    expect(() => assertUtf8Args(["delete", "fine"], undefined)).not.toThrow();
  });
});
