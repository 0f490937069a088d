import type { IdFormat } from "@batch-custom-data/cloudflare";
import { HttpError } from "./errors.js";

const FORMATS: Record<string, IdFormat> = {
  "text/plain": "lines",
  "application/x-ndjson": "ndjson",
  "application/json": "json",
};

/** The id format a request body's `Content-Type` names (UTF-8 only). */
export function formatOf(contentType: string | undefined): IdFormat {
  const [type = "", ...params] = (contentType ?? "")
    .toLowerCase()
    .split(";")
    .map((s) => s.trim());
  const charset = params
    .find((p) => p.startsWith("charset="))
    ?.slice(8)
    .replace(/"/g, "");
  const format = FORMATS[type];
  if (!format || (charset && charset !== "utf-8")) {
    throw new HttpError(
      415,
      "UNSUPPORTED_MEDIA_TYPE",
      'Send the ids as text/plain (one per line), application/x-ndjson (one JSON string or {"id": ...} per line) or application/json (an array of strings), in UTF-8.',
    );
  }
  return format;
}
