// Helpers for the readers' tests (not part of the package: the build's entries don't import it).
import { pieces } from "@batch-custom-data/test-helpers";
import { expect } from "vitest";
import { BatchValidationError } from "../errors.js";
import { IdReadError, type ReadIdsOptions, readIds } from "./index.js";
import type { ByteSource } from "./text.js";

export { pieces };

/** The whole text as one web stream chunk. */
export const stream = (text: string | Uint8Array) => pieces(text, Number.MAX_SAFE_INTEGER);

export async function collect(input: ByteSource, options?: ReadIdsOptions): Promise<string[]> {
  const out: string[] = [];
  for await (const batch of readIds(input, options)) {
    expect(Array.isArray(batch)).toBe(true);
    expect(batch.length).toBeGreaterThan(0);
    out.push(...batch);
  }
  return out;
}

export async function failure(input: ByteSource, options?: ReadIdsOptions): Promise<IdReadError> {
  try {
    await collect(input, options);
  } catch (error) {
    expect(error).toBeInstanceOf(IdReadError);
    expect(error).toBeInstanceOf(BatchValidationError);
    return error as IdReadError;
  }
  throw new Error("expected readIds to fail");
}
