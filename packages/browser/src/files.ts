import {
  countIds,
  type IdCount,
  type IdFormat,
  type ReadIdsOptions,
  readIds,
} from "@batch-custom-data/core/ids";

/** A file of ids chosen in a page (`<input type="file">`, a drop), or any `Blob`. */
export type IdFile = Blob & { readonly name?: string };

const BY_EXTENSION: Record<string, IdFormat> = {
  csv: "csv",
  tsv: "csv",
  ndjson: "ndjson",
  jsonl: "ndjson",
  json: "json",
};
const BY_TYPE: Record<string, IdFormat> = {
  "text/csv": "csv",
  "text/tab-separated-values": "csv",
  "application/x-ndjson": "ndjson",
  "application/jsonl": "ndjson",
  "application/json": "json",
};

/** The format a file's name (its extension), else its MIME type, says; `lines` otherwise. */
export function formatOfFile(file: IdFile): IdFormat {
  const extension = /\.([^./\\]+)$/.exec(file.name ?? "")?.[1]?.toLowerCase();
  if (extension && extension in BY_EXTENSION) return BY_EXTENSION[extension]!;
  return BY_TYPE[file.type.split(";")[0]!.trim().toLowerCase()] ?? "lines";
}

/** The options to read `file` with: its format and name unless given, a tab for `.tsv`. */
function optionsFor(file: IdFile, options: ReadIdsOptions): ReadIdsOptions {
  const tsv = /\.tsv$/i.test(file.name ?? "") || /^text\/tab-separated-values/i.test(file.type);
  return {
    ...options,
    format: options.format ?? formatOfFile(file),
    name: options.name ?? (file.name || "file"),
    ...(tsv && options.delimiter === undefined ? { delimiter: "\t" } : {}),
  };
}

/**
 * The ids of a `File`/`Blob`, in batches, read as a stream (never the whole file in memory):
 * the core's `readIds` with the format from the file's name and its name in errors.
 */
export function readFileIds(
  file: IdFile,
  options: ReadIdsOptions = {},
): AsyncGenerator<string[], void, undefined> {
  return readIds(file.stream(), optionsFor(file, options));
}

/**
 * Counts and checks a file's ids before anything is uploaded: `{ count }`, or with
 * `firstProblem: { line, message }` (the message says what is wrong, never what the line holds).
 */
export function countFileIds(file: IdFile, options: ReadIdsOptions = {}): Promise<IdCount> {
  return countIds(file.stream(), optionsFor(file, options));
}

/** How `startJob` sends ids: the proxy reads lines, NDJSON and JSON arrays. */
export interface UploadBody {
  readonly body: Blob;
  readonly contentType: string;
}

const NDJSON = "application/x-ndjson";

/** Ids as NDJSON, a JSON string per line: any id survives it (a line break included). */
async function ndjsonOf(batches: AsyncIterable<readonly string[]> | Iterable<readonly string[]>) {
  const parts: string[] = [];
  for await (const batch of batches) {
    if (batch.length > 0) parts.push(`${batch.map((id) => JSON.stringify(id)).join("\n")}\n`);
  }
  return new Blob(parts, { type: NDJSON });
}

/**
 * The body of `POST /v1/jobs`. A file in a format the proxy reads (lines, NDJSON with ids in
 * `id`, a JSON array) is sent as it is, not copied; CSV (or NDJSON with another field) is
 * read here and sent as NDJSON; an array is sent as NDJSON.
 */
export async function uploadBody(
  ids: readonly string[] | IdFile,
  options: ReadIdsOptions = {},
): Promise<UploadBody> {
  if (!(ids instanceof Blob)) return { body: await ndjsonOf([ids]), contentType: NDJSON };
  const read = optionsFor(ids, options);
  if (read.format === "lines") return { body: ids, contentType: "text/plain; charset=utf-8" };
  if (read.format === "json") return { body: ids, contentType: "application/json" };
  if (read.format === "ndjson" && (read.field ?? "id") === "id") {
    return { body: ids, contentType: NDJSON };
  }
  return { body: await ndjsonOf(readIds(ids.stream(), read)), contentType: NDJSON };
}

/**
 * A file of ids to download (the failed ids of a job): one per line, which every tool reads,
 * unless an id holds a line break (or starts with a byte-order mark), then NDJSON, which
 * `readIds` and the proxy read back exactly.
 */
export function idsToFile(ids: readonly string[], baseName: string): File {
  const plain = !ids.some((id) => /[\r\n]/.test(id)) && !ids[0]?.startsWith("\uFEFF");
  const text = ids.map((id) => (plain ? id : JSON.stringify(id))).join("\n");
  const name = `${baseName}.${plain ? "txt" : "ndjson"}`;
  return new File(ids.length > 0 ? [`${text}\n`] : [], name, {
    type: plain ? "text/plain" : NDJSON,
  });
}
