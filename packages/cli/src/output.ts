/**
 * Everything the CLI prints goes through here: a redactor made from the keys in the
 * environment replaces them with `***`, whatever printed them (defence in depth: nothing is
 * meant to print a key in the first place). The one exception is text the user asked for as
 * is, their ids in the report of failed ids: an id is never rewritten, even one that happens
 * to contain a key.
 */
import { ENV } from "@batch-custom-data/node";

export const EXIT = {
  /** Every id confirmed. */
  ok: 0,
  /** Some ids were not deleted (they are listed), or nothing was sent because you said no. */
  failed: 1,
  /** Usage or configuration error: the message says what to set or fix. Nothing was sent. */
  usage: 2,
  /** Stopped by SIGINT (Ctrl-C): the report was printed. */
  interrupted: 130,
  /** Stopped by SIGTERM, same as SIGINT otherwise. */
  terminated: 143,
} as const;

export type Redactor = (text: string) => string;

/** Keys shorter than this are not real Batch keys; redacting them would mangle the output. */
const MIN_SECRET_LENGTH = 6;

export function secretsFromEnv(env: Readonly<Record<string, string | undefined>>): string[] {
  const apps = (env[ENV.apiKey] ?? "").split(",").map((key) => key.trim());
  // A labelled app (`ios=KEY`): the key is what follows the first `=`.
  const keys = apps.flatMap((app) => [app, app.slice(app.indexOf("=") + 1)]);
  const rest = env[ENV.restApiKey] ?? "";
  return [...keys, rest, rest.trim()].filter((s) => s.length >= MIN_SECRET_LENGTH);
}

export function createRedactor(secrets: readonly string[]): Redactor {
  const needles = [...new Set(secrets.flatMap((s) => [s, encodeURIComponent(s)]))].sort(
    (a, b) => b.length - a.length,
  );
  if (needles.length === 0) return (text) => text;
  return (text) => needles.reduce((out, needle) => out.split(needle).join("***"), text);
}

/** Text printed as is: the ids the user asked to get back. Everything else is redacted. */
export class Verbatim {
  constructor(readonly text: string) {}
}

export type Piece = string | Verbatim;

export interface Io {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly stdin: NodeJS.ReadStream;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface Printer {
  /** Writes to stdout: strings redacted, `Verbatim` pieces as they are. */
  out(...pieces: Piece[]): void;
  /** Writes to stderr, redacted. */
  err(text: string): void;
  readonly redact: Redactor;
  /** Resolves once everything written so far is flushed. */
  flush(): Promise<void>;
}

export function createPrinter(io: Io, redact: Redactor): Printer {
  return {
    out: (...pieces) =>
      void io.stdout.write(
        pieces.map((p) => (p instanceof Verbatim ? p.text : redact(p))).join(""),
      ),
    err: (text) => void io.stderr.write(redact(text)),
    redact,
    flush: () =>
      Promise.all(
        [io.stdout, io.stderr].map(
          (s) => new Promise<void>((resolve) => s.write("", () => resolve())),
        ),
      ).then(() => undefined),
  };
}

/** `NO_COLOR` (any non-empty value) turns colour off; so does a stream that is not a TTY. */
export function useColor(stream: NodeJS.WriteStream, env: Io["env"]): boolean {
  return Boolean(stream.isTTY) && !env.NO_COLOR;
}

export const paint = (on: boolean, code: number, text: string) =>
  on ? `\x1b[${code}m${text}\x1b[0m` : text;

export const int = (n: number) => n.toLocaleString("en-US");

/** `1 id`, `2 ids`: a count and its noun. */
export const count = (n: number, noun: string, plural = `${noun}s`) =>
  `${int(n)} ${n === 1 ? noun : plural}`;

export function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}
