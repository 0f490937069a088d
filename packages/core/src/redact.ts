/**
 * Keys must never reach an error, a log or a report. Text that could carry one (a server's
 * message, a runtime's network error that quotes the URL) goes through a redactor made from
 * the client's keys, raw and percent-encoded, longest first so a key holding another goes whole.
 */
export type Redactor = (text: unknown) => string;

export function createRedactor(secrets: readonly string[]): Redactor {
  const needles = secrets
    .flatMap((s) => [s, encodeURIComponent(s)])
    .sort((a, b) => b.length - a.length);
  return (text) => needles.reduce((out, needle) => out.replaceAll(needle, "***"), String(text));
}
