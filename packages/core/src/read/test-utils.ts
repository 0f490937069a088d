// Helpers for the readers' tests (not part of the package: the build's entries don't import it).
import { expect } from "vitest";
import { BatchValidationError } from "../errors.js";
import { IdReadError, type ReadIdsOptions, readIds } from "./index.js";
import type { ByteSource } from "./text.js";

const encoder = new TextEncoder();

/** A web stream handing over `text` in pieces of `size` bytes (splitting CRLF and UTF-8). */
export function pieces(text: string | Uint8Array, size: number): ReadableStream<Uint8Array> {
  const bytes = typeof text === "string" ? encoder.encode(text) : text;
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
}

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
