/**
 * `NODE_DEBUG=http` (or `net`, `tls`, `undici`…) makes Node print each request's URL and
 * headers, which hold both keys, on stderr from inside Node, around the CLI's redaction; and
 * Node reads the variable once, at start-up, so the CLI cannot turn it off. It refuses to run.
 */
import { UsageError } from "./usage.js";

/** Node's debug sections that print request details (URLs, headers, socket data). */
const LEAKY = ["http", "http2", "https", "net", "tls", "undici", "fetch", "websocket"];

/** The sections of `NODE_DEBUG` (comma or space separated, `*` a wildcard) that would leak. */
export function leakyDebugSections(value: string | undefined): string[] {
  const patterns = (value ?? "")
    .split(/[\s,]+/)
    .filter(Boolean)
    .map(
      (p) => new RegExp(`^${p.replace(/[|\\{}()[\]^$+?.]/g, "\\$&").replaceAll("*", ".*")}$`, "i"),
    );
  return LEAKY.filter((section) => patterns.some((p) => p.test(section)));
}

export function assertNoLeakyDebug(env: Readonly<Record<string, string | undefined>>): void {
  const sections = leakyDebugSections(env.NODE_DEBUG);
  if (sections.length > 0) {
    throw new UsageError(
      `NODE_DEBUG=${env.NODE_DEBUG} makes Node print request details (${sections.join(", ")}: URLs and headers, which hold the API key and the REST key) on stderr, where the CLI cannot redact them: unset NODE_DEBUG to run.`,
    );
  }
  if (env.NODE_DEBUG_NATIVE) {
    throw new UsageError(
      "NODE_DEBUG_NATIVE makes Node print internal details (requests included) on stderr, where the CLI cannot redact keys: unset it to run.",
    );
  }
}
