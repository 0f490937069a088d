/**
 * Keys must never reach an error, a log or a report. Text that could carry one (a server's
 * message, a runtime's network error that quotes the URL) goes through a redactor made from
 * the client's keys. A server may echo a key in any encoding, so each character of a key
 * matches every form it can take:
 * - as is, or backslash-escaped (JSON's `\/`, `\"`, and escaped again: `\\/`);
 * - percent-encoded, in either case (`%2B`, `%2b`), or encoded twice (`%252B`);
 * - a JSON or JavaScript escape (`\u002b`, `\x2b`), HTML references (`&#43;`, `&#x2b;`, `&amp;`);
 * - `+` as a space (form decoding turned it into one) in any of those forms.
 * Any mix of them, one per character, still matches; letters match in either case (a key in
 * another case is not worth printing either). Keys are printable ASCII (`createClient` checks).
 */
export type Redactor = (text: unknown) => string;

const HTML_NAMES: Readonly<Record<string, string>> = {
  "&": "amp",
  "<": "lt",
  ">": "gt",
  '"': "quot",
  "'": "apos",
};

/** Every way one character can be written, as a regular expression. */
function anyForm(char: string): string {
  const code = char.charCodeAt(0);
  const hex = code.toString(16).padStart(2, "0");
  // Encoded forms first: `%` as is must not stop a match at the `%` of its own `%25`.
  const forms = [
    `%(?:25)*${hex}`,
    String.raw`\\+(?:u00|x)` + hex,
    `&#0*${code};`,
    `&#x0*${hex};`,
    ...(HTML_NAMES[char] ? [`&${HTML_NAMES[char]};`] : []),
    String.raw`\\*` + char.replace(/[\\^$.*+?()[\]{}|/-]/g, String.raw`\$&`),
  ];
  return forms.join("|");
}

export function createRedactor(secrets: readonly string[]): Redactor {
  if (secrets.length === 0) return String;
  const keys = secrets
    .toSorted((a, b) => b.length - a.length) // a key holding another goes whole
    .map((secret) =>
      [...secret]
        .map((char) => `(?:${anyForm(char)}${char === "+" ? `|${anyForm(" ")}` : ""})`)
        .join(""),
    );
  const pattern = new RegExp(keys.join("|"), "gi");
  return (text) => String(text).replace(pattern, "***");
}
