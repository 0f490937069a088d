import { refuseInBrowser } from "./browser.js";
import { type DeleteUsersOptions, deleteUsers } from "./bulk.js";
import type { IdSource } from "./chunk.js";
import { type ClientOptions, resolveConfig } from "./config.js";
import { assertId } from "./ids.js";
import { type AppResult, type DeleteUsersReport, summarize } from "./report.js";
import { buildDeleteUserRequest } from "./request.js";
import { errorOf, type Failed, send } from "./send.js";

export interface DeleteUserResult {
  /** The first app's token: with one app, the only one. */
  token: string;
  /** Every app's token, labelled (never keyed) by app. */
  tokens: { app: string; token: string }[];
}

export interface BatchClient {
  /** Deletes one user's custom data in every app; resolves with the transaction token(s). */
  deleteUser(id: string, options?: { signal?: AbortSignal }): Promise<DeleteUserResult>;
  /**
   * Deletes any number of users, streamed in bulk calls of at most 10,000 ids. Resolves with
   * a report of every id; rejects (with that report) if any id was not deleted.
   */
  deleteUsers(ids: IdSource, options?: DeleteUsersOptions): Promise<DeleteUsersReport>;
}

/**
 * Makes a client. Bad configuration throws a `BatchValidationError` here, not at first use; so
 * does a browser, before anything else is checked, unless `dangerouslyAllowBrowser: true`.
 */
export function createClient(options: ClientOptions): BatchClient {
  refuseInBrowser("createClient", options);
  const config = resolveConfig(options);
  const { apps, transport } = config;
  return {
    async deleteUser(id, { signal } = {}) {
      assertId(id);
      const outcomes = await Promise.all(
        apps.map(({ label: app, key: apiKey }) =>
          send(transport, buildDeleteUserRequest({ ...config, apiKey }, id), app, {
            abort: signal,
          }),
        ),
      );
      const failed = outcomes.find((outcome): outcome is Failed => !("token" in outcome));
      const results: AppResult[] = outcomes.map((outcome, i) => {
        const app = apps[i]!.label;
        return "token" in outcome
          ? { app, token: outcome.token }
          : { app, error: summarize(errorOf(outcome)) };
      });
      // With several apps, the tokens that some of them gave are not lost with the error.
      if (failed) throw errorOf(failed, apps.length > 1 ? results : undefined);
      const tokens = results as DeleteUserResult["tokens"];
      return { token: tokens[0]!.token, tokens };
    },
    deleteUsers: (ids, opts) => deleteUsers(config, ids, opts),
  };
}
