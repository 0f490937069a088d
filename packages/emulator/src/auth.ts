/**
 * Secret comparison. `timingSafeEqual` looks at every byte of the longer input whatever the
 * contents, so the time taken reveals neither where two values first differ nor how much of
 * a guess was right (only the length of the longer one, which a caller controls anyway).
 */

const encoder = new TextEncoder();

export function timingSafeEqual(given: string, expected: string): boolean {
  const a = encoder.encode(given);
  const b = encoder.encode(expected);
  const length = Math.max(a.length, b.length);
  // Different lengths already mean "no", but the loop still runs over the full length.
  let diff = a.length ^ b.length;
  for (let i = 0; i < length; i++) {
    diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  }
  return diff === 0;
}

/** Whether the `X-Authorization` header holds the REST API key. A missing header fails. */
export function restKeyMatches(header: string | null, restApiKey: string): boolean {
  // Compare even when the header is missing, so that case takes the same time.
  const ok = timingSafeEqual(header ?? "", restApiKey);
  return ok && header !== null;
}
