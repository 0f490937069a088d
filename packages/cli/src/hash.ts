import { createHash } from "node:crypto";

/**
 * A chunk's fingerprint in the journal: SHA-256 of its ids as a JSON array (unambiguous,
 * whatever characters the ids hold), hex, first 32 characters.
 */
export function chunkHash(ids: readonly string[]): string {
  return createHash("sha256").update(JSON.stringify(ids)).digest("hex").slice(0, 32);
}

/**
 * What the journal is for: the base URL and the app keys, hashed (a journal must not hold a
 * key, and must not be replayed against other apps).
 */
export function targetHash(baseUrl: string, apiKeys: readonly string[]): string {
  const normalized = baseUrl.replace(/\/+$/, "");
  return createHash("sha256")
    .update(`batch-custom-data journal\n${normalized}\n${apiKeys.join("\n")}`)
    .digest("hex")
    .slice(0, 32);
}
