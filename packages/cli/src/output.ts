/**
 * Everything the CLI prints goes through here: a redactor made from the keys in the
 * environment replaces them with `***`, whatever printed them (defence in depth: nothing is
 * meant to print a key in the first place).
 */
import { ENV } from "@batch-custom-data/node";

export const EXIT = {
  /** Every id confirmed. */
  ok: 0,
  /** Some ids were not deleted (they are listed). */
  failed: 1,
  /** Usage or configuration error: the message says what to set or fix. */
  usage: 2,
  /** Interrupted (SIGINT): calls in flight finished, the report was printed. */
  interrupted: 130,
  /** Terminated (SIGTERM), same as SIGINT otherwise. */
  terminated: 143,
} as const;

export type Redactor = (text: string) => string;

/** Keys shorter than this are not real Batch keys; redacting them would mangle the output. */
const MIN_SECRET_LENGTH = 6;

export function secretsFromEnv(env: Readonly<Record<string, string | undefined>>): string[] {
  const secrets = [
    ...(env[ENV.apiKey] ?? "").split(",").map((key) => key.trim()),
    env[ENV.restApiKey] ?? "",
    (env[ENV.restApiKey] ?? "").trim(),
  ];
  return secrets.filter((s) => s.length >= MIN_SECRET_LENGTH);
}

export function createRedactor(secrets: readonly string[]): Redactor {
  const needles = [...new Set(secrets.flatMap((s) => [s, encodeURIComponent(s)]))].sort(
    (a, b) => b.length - a.length,
  );
  if (needles.length === 0) return (text) => text;
  return (text) => needles.reduce((out, needle) => out.split(needle).join("***"), text);
}

export interface Io {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly stdin: NodeJS.ReadStream;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface Printer {
  out(text: string): void;
  err(text: string): void;
  readonly redact: Redactor;
  /** Resolves once everything written so far is flushed. */
  flush(): Promise<void>;
}

export function createPrinter(io: Io, redact: Redactor): Printer {
  return {
    out: (text) => void io.stdout.write(redact(text)),
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

export function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}
