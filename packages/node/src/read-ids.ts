import { createReadStream } from "node:fs";
import { fileURLToPath } from "node:url";
import * as ids from "@batch-custom-data/core/ids";

/** A path, a `file:` URL, a Node stream (e.g. `process.stdin`), or what the core reads. */
export type IdInput = string | URL | NodeJS.ReadableStream | ids.ByteSource;

type Opened = [ids.ByteSource, ids.ReadIdsOptions];

/** The bytes of `input`, and the name errors give it. A file is opened when first read. */
function open(input: IdInput, options: ids.ReadIdsOptions): Opened {
  if (typeof input !== "string" && !(input instanceof URL))
    return [input as ids.ByteSource, options];
  const path = typeof input === "string" ? input : fileURLToPath(input);
  const file = {
    async *[Symbol.asyncIterator]() {
      yield* createReadStream(path, { highWaterMark: 64 * 1024 });
    },
  };
  return [file, { name: path, ...options }];
}

/** The core's `readIds` on a file or a Node stream: ids in batches; errors name the path. */
export const readIds = (input: IdInput, options: ids.ReadIdsOptions = {}) =>
  ids.readIds(...open(input, options));

/** The core's `countIds` on a file or a Node stream. */
export const countIds = (input: IdInput, options: ids.ReadIdsOptions = {}) =>
  ids.countIds(...open(input, options));
