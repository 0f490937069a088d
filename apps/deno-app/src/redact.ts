/**
 * Defence in depth: everything the app prints goes through this, so neither key can appear
 * in its output even if something upstream ever printed one (nothing is meant to). Keys are
 * replaced raw and percent-encoded (the API key travels in the URL path).
 */
const MIN_SECRET_LENGTH = 6;

export function createRedactor(apiKeys: string | undefined, restKey: string | undefined) {
  const entries = (apiKeys ?? "").split(",").map((entry) => entry.trim());
  // A labelled entry is label=KEY: the key alone may show up, and so may the whole entry.
  const keys = [...entries, ...entries.map((entry) => entry.slice(entry.indexOf("=") + 1))];
  const secrets = [...keys, restKey ?? "", (restKey ?? "").trim()].filter(
    (secret) => secret.length >= MIN_SECRET_LENGTH,
  );
  const needles = [...new Set(secrets.flatMap((s) => [s, encodeURIComponent(s)]))].sort(
    (a, b) => b.length - a.length,
  );
  return (text: string) => needles.reduce((out, needle) => out.replaceAll(needle, "***"), text);
}
