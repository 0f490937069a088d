import { encodeId, needsBulkRoute } from "./ids.js";

/** A call ready for any transport: `fetch(request.url, request)` sends it. */
export interface DeleteRequest {
  readonly method: "DELETE";
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
  /** `url` with the API key replaced by `***`: the only form that may be printed. */
  readonly displayUrl: string;
}

export interface RequestTarget {
  /** Base URL without a trailing slash or credentials, e.g. `https://api.batch.com/1.0`. */
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly restApiKey: string;
}

function build(target: RequestTarget, path: string, body?: string): DeleteRequest {
  const { baseUrl, apiKey, restApiKey } = target;
  return {
    method: "DELETE",
    url: `${baseUrl}/${encodeURIComponent(apiKey)}${path}`,
    displayUrl: `${baseUrl}/***${path}`,
    // As in the documented curl examples: Content-Type on both calls.
    headers: { "Content-Type": "application/json", "X-Authorization": restApiKey },
    body,
  };
}

/**
 * The single-delete call for one id. `.` and `..` go through the bulk route as a one-id list,
 * since no URL can carry them as a path segment.
 */
export function buildDeleteUserRequest(target: RequestTarget, id: string): DeleteRequest {
  return needsBulkRoute(id)
    ? buildDeleteUsersRequest(target, [id])
    : build(target, `/data/users/${encodeId(id)}`);
}

/** The bulk call for up to 10,000 ids (chunking is the caller's job, or the client's). */
export function buildDeleteUsersRequest(
  target: RequestTarget,
  ids: readonly string[],
): DeleteRequest {
  return build(target, "/data/users", JSON.stringify(ids));
}
