// The documented way: the ids split into files of 10,000 (payload-NNNN.json) and one `curl`
// per file, exactly as API.md shows it, run from a shell script: one after the other as the
// typical script does, or `xargs -P <concurrency>` at a time.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeIds } from "./util.mjs";

export function findCurl() {
  try {
    return execFileSync("sh", ["-c", "command -v curl"], { encoding: "utf8" }).trim() || null;
  } catch {
    return null;
  }
}

/** Writes the payload files (the same bodies the raw loop sends) into `dir`. */
export function writePayloads(dir, count, perCall = 10_000) {
  const ids = makeIds(count);
  let files = 0;
  for (let i = 0; i < count; i += perCall, files++) {
    const name = `payload-${String(files).padStart(4, "0")}.json`;
    writeFileSync(join(dir, name), JSON.stringify(ids.slice(i, i + perCall)));
  }
  return files;
}

// `-sS` only silences the progress meter (curl draws it when stdout is not a terminal); the
// call itself is API.md's. Each answer ({"token": …}) goes to stdout, as a script prints it.
// Over TLS (the WAN runs) curl trusts that run's self-signed certificate, and only it.
const curl = (tls) =>
  `curl -sS${tls ? ' --cacert "$CACERT"' : ""} -H "Content-Type: application/json" -H "X-Authorization: $REST_API_KEY" -X DELETE`;

/** One call per payload file, one after the other, as a typical script does. */
export const sequentialScript = ({ tls = false } = {}) => `set -e
for f in "$PAYLOAD_DIR"/payload-*.json; do
  ${curl(tls)} -d "@$f" "$URL"
  echo
done`;

/** The same calls, $CONCURRENCY at a time. */
export const xargsScript = ({ tls = false } = {}) => `set -e
printf '%s\\n' "$PAYLOAD_DIR"/payload-*.json |
  xargs -P "$CONCURRENCY" -I{} ${curl(tls)} -d "@{}" "$URL"`;

/** How many calls an output of tokens shows succeeded. */
export const countTokens = (stdout) => stdout.split('"token"').length - 1;
