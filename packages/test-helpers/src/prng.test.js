import { describe, expect, it } from "vitest";
import { prng } from "./index.js";

const draw = (seed, n) => Array.from({ length: n }, prng(seed));

describe("prng", () => {
  it("replays the same sequence for a seed, another for another seed", () => {
    expect(draw(42, 5)).toEqual(draw(42, 5));
    expect(draw(43, 5)).not.toEqual(draw(42, 5));
  });

  it("draws in [0, 1), spread over the range", () => {
    const values = draw(7, 10_000);
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    const low = values.filter((v) => v < 0.5).length;
    expect(low).toBeGreaterThan(4_500);
    expect(low).toBeLessThan(5_500);
  });
});
