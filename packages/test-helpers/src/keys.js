// The keys every test uses, in every package and runtime. Each holds characters that
// percent-encoding changes (`+`, `/`, `=`), so a key's raw and encoded forms differ and a scan
// for leaks must look for both; none is a `label=KEY` pair for BATCH_API_KEY's syntax (a label
// is letters, digits, `_` and `-` only). Printable ASCII: a header carries them.

/**
 * The app key in the URL path (an iOS app when two are used).
 * @type {string}
 */
export const API_KEY = "Live+AppKey/9f2c=Sx7Qw";
/**
 * A second app's key.
 * @type {string}
 */
export const ANDROID_KEY = "Droid+AppKey/4e1b=Pz8Lm";
/**
 * The REST key in the X-Authorization header.
 * @type {string}
 */
export const REST_KEY = "Rest_Secret-7Hk2Vb9Nq3";
export const SECRETS = [API_KEY, ANDROID_KEY, REST_KEY];

/** Percent-escapes with lowercase hex digits, as some servers and proxies write them. */
export const lowerHex = (/** @type {string} */ text) =>
  text.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase());

/** Every character as a JSON `\u` escape. */
export const unicodeEscaped = (/** @type {string} */ text) =>
  [...text].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join("");

/**
 * The forms a key can take in what a server echoes: raw, percent-encoded (either case, or twice),
 * form-encoded or form-decoded (`+` and space swapped), JSON-escaped (`\/`, `\u002b`).
 * @param {string} secret
 */
export const secretForms = (secret) => [
  secret,
  encodeURIComponent(secret),
  lowerHex(encodeURIComponent(secret)),
  encodeURIComponent(encodeURIComponent(secret)),
  new URLSearchParams({ k: secret }).toString().slice(2),
  secret.replaceAll("+", " "),
  JSON.stringify(secret).slice(1, -1),
  JSON.stringify(secret).slice(1, -1).replaceAll("/", "\\/"),
  unicodeEscaped(secret),
];

/**
 * The keys (raw or percent-encoded) that `text` shows: empty when it shows none.
 * @param {string} text
 * @param {readonly string[]} [secrets]
 * @returns {string[]}
 */
export function keysIn(text, secrets = SECRETS) {
  return secrets.filter(
    (secret) => text.includes(secret) || text.includes(encodeURIComponent(secret)),
  );
}
