/**
 * A small seeded generator (mulberry32): cheap, deterministic input for big property runs.
 * Numbers in [0, 1); `seed` fully determines the sequence.
 * (The emulator's fault injection has its own copy in its product code: a published package
 * cannot depend on this private one.)
 * @param {number} seed
 * @returns {() => number}
 */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
