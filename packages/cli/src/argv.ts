/**
 * Arguments that are not valid UTF-8. Node decodes `argv` before any code runs, replacing each
 * invalid byte sequence with U+FFFD: `delete $'u\xffx'` would delete the user `u�x`, someone
 * else. The bytes the process was really given are read back to tell a replaced byte from a
 * U+FFFD the user typed:
 * - Linux: `/proc/self/cmdline` holds them, NUL-separated; the CLI's arguments are the last ones.
 * - Elsewhere (macOS, Windows) Node offers no way to read them: an argument holding U+FFFD is
 *   refused, since it cannot be told apart from a replaced byte (put such an id in a file).
 */
import { readFileSync } from "node:fs";
import { UsageError } from "./usage.js";

const REPLACEMENT = "\uFFFD";

/**
 * The raw bytes of the last `count` arguments of this process, or undefined where they can't
 * be read. Read at start-up: setting `process.title` later may overwrite them.
 */
export function readRawArgs(count: number, file = "/proc/self/cmdline"): Uint8Array[] | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return undefined;
  }
  const args: Uint8Array[] = [];
  let start = 0;
  for (let end = bytes.indexOf(0); end !== -1; end = bytes.indexOf(0, start)) {
    args.push(bytes.subarray(start, end));
    start = end + 1;
  }
  return args.length >= count ? args.slice(args.length - count) : undefined;
}

const strict = new TextDecoder("utf-8", { fatal: true });

/**
 * Throws a usage error naming the first argument (1-based, never its content: it may be an id)
 * that was not valid UTF-8. `raw` are the bytes of `argv`, when the platform gives them.
 */
export function assertUtf8Args(argv: readonly string[], raw: readonly Uint8Array[] | undefined) {
  // The raw bytes are trusted only if they are these arguments (same count, same text).
  const usable =
    raw !== undefined &&
    raw.length === argv.length &&
    raw.every((bytes, i) => Buffer.from(argv[i]!).equals(Buffer.from(lossy(bytes))));
  argv.forEach((arg, i) => {
    const bad = usable ? !isUtf8(raw[i]!) : arg.includes(REPLACEMENT);
    if (!bad) return;
    throw new UsageError(
      usable
        ? `Argument ${i + 1} is not valid UTF-8: it would be sent with U+FFFD (�) in place of its bytes, naming another user. Put such ids in a file (--file): it is read as bytes and refused if not UTF-8.`
        : `Argument ${i + 1} holds U+FFFD (�), which is also what this system shows for bytes that are not UTF-8, and this platform cannot tell which: put this id in a file (--file).`,
    );
  });
}

const lossy = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

function isUtf8(bytes: Uint8Array): boolean {
  try {
    strict.decode(bytes);
    return true;
  } catch {
    return false;
  }
}
