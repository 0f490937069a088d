import { encodeId, needsBulkRoute } from "./ids.js";

/** A call ready for any transport: `fetch(request.url, request)` sends it. */
export interface DeleteRequest {
  readonly method: "DELETE";
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
  /**
   * `url` with the API key as `***` and a user id as `{id}`: the only form that may be printed
   * (the key is a secret, an id is personal data).
   */
  readonly displayUrl: string;
  /** A single delete's user id, which its `url` carries. Never printed by the client. */
  readonly id?: string;
}

export interface RequestTarget {
  /** Base URL without a trailing slash or credentials, e.g. `https://api.batch.com/1.0`. */
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly restApiKey: string;
}

const USERS = "/data/users";

function build(target: RequestTarget, id?: string, body?: string): DeleteRequest {
  const { baseUrl, apiKey, restApiKey } = target;
  const path = id === undefined ? USERS : `${USERS}/${encodeId(id)}`;
  return {
    method: "DELETE",
    url: `${baseUrl}/${encodeURIComponent(apiKey)}${path}`,
    displayUrl: `${baseUrl}/***${id === undefined ? USERS : `${USERS}/{id}`}`,
    // As in the documented curl examples: Content-Type on both calls.
    headers: { "Content-Type": "application/json", "X-Authorization": restApiKey },
    body,
    ...(id === undefined ? {} : { id }),
  };
}

/**
 * The single-delete call for one id. `.` and `..` go through the bulk route as a one-id list,
 * since no URL can carry them as a path segment.
 */
export function buildDeleteUserRequest(target: RequestTarget, id: string): DeleteRequest {
  return needsBulkRoute(id) ? buildDeleteUsersRequest(target, [id]) : build(target, id);
}

/** The bulk call for up to 10,000 ids (chunking is the caller's job, or the client's). */
export function buildDeleteUsersRequest(
  target: RequestTarget,
  ids: readonly string[],
): DeleteRequest {
  return build(target, undefined, JSON.stringify(ids));
}
