/**
 * Ids from a file or stdin through Deno's file API and the core's streaming readers: the
 * file's `readable` is handed to `readIds`, so a file of any size is read in constant memory.
 */

import { BatchValidationError } from "@batch-custom-data/core";
import {
  type ByteSource,
  countIds as countSource,
  type IdCount,
  type ReadIdsOptions,
  readIds as readSource,
} from "@batch-custom-data/core/ids";
import { granted, isPermissionError, permissionError, shellWord } from "./permissions.ts";

/** A path or `file:` URL (`"-"` is stdin), or any byte source the core reads. */
export type IdInput = string | URL | ByteSource;

const isPath = (input: IdInput): input is string | URL =>
  typeof input === "string" || input instanceof URL;

const pathText = (path: string | URL) =>
  path instanceof URL ? decodeURIComponent(path.pathname) : path;

/**
 * Opens a file (`"-"`: stdin) as a byte stream. A missing read permission, a missing file or
 * a directory is a `BatchValidationError` saying what to fix (the permission's names the
 * `--allow-read=` flag); nothing prompts.
 */
export async function openIds(path: string | URL): Promise<ReadableStream<Uint8Array>> {
  if (path === "-") return Deno.stdin.readable;
  const name = pathText(path);
  const flag = `--allow-read=${shellWord(name)}`;
  if (!granted({ name: "read", path })) throw permissionError(`read ${name}`, flag);
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path);
  } catch (error) {
    if (isPermissionError(error)) throw permissionError(`read ${name}`, flag);
    if (error instanceof Deno.errors.NotFound) {
      throw new BatchValidationError(`${name}: no such file.`);
    }
    throw new BatchValidationError(`${name} cannot be read: ${(error as Error).message}`);
  }
  if ((await file.stat()).isDirectory) {
    file.close();
    throw new BatchValidationError(`${name} is a directory, not a file of ids.`);
  }
  return file.readable;
}

const named = (input: IdInput, options: ReadIdsOptions): ReadIdsOptions =>
  isPath(input) && options.name === undefined
    ? { ...options, name: input === "-" ? "stdin" : pathText(input) }
    : options;

/**
 * Ids in batches (arrays, in input order), read lazily from a path (`"-"`: stdin) or a byte
 * source, in any format the core reads (`lines`, `csv`, `ndjson`, `json`). Errors name the
 * file and line; a file is opened at the first read. Pass it straight to `deleteUsers`.
 */
export async function* readIds(
  input: IdInput,
  options: ReadIdsOptions = {},
): AsyncGenerator<string[], void, undefined> {
  const source = isPath(input) ? await openIds(input) : input;
  yield* readSource(source, named(input, options));
}

/** Counts and checks the ids without keeping them (a precheck before sending anything). */
export async function countIds(input: IdInput, options: ReadIdsOptions = {}): Promise<IdCount> {
  const source = isPath(input) ? await openIds(input) : input;
  return countSource(source, named(input, options));
}
