/**
 * Secret comparison. `timingSafeEqual` looks at every byte of the longer input whatever the
 * contents, so the time taken reveals neither where two values first differ nor how much of
 * a guess was right (only the length of the longer one, which a caller controls anyway).
 */

const encoder = new TextEncoder();

/** Compares two byte sequences over their full (longer) length: no early exit. */
export function timingSafeEqualBytes(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  const length = Math.max(a.length, b.length);
  // Different lengths already mean "no", but the loop still runs over the full length.
  let diff = a.length ^ b.length;
  for (let i = 0; i < length; i++) {
    diff |= (i < a.length ? a[i]! : 0) ^ (i < b.length ? b[i]! : 0);
  }
  return diff === 0;
}

/** Compares two strings' UTF-8 bytes in constant time (for a given length). */
export function timingSafeEqual(given: string, expected: string): boolean {
  return timingSafeEqualBytes(encoder.encode(given), encoder.encode(expected));
}

/** Whether the `X-Authorization` header holds the REST API key. A missing header fails. */
export function restKeyMatches(header: string | null, restApiKey: string): boolean {
  // Compare even when the header is missing, so that case takes the same time.
  const ok = timingSafeEqual(header ?? "", restApiKey);
  return ok && header !== null;
}
