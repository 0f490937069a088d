// What every consumer does with the modules it loaded (passed in, so each consumer imports the
// package its own way): one deletion, a bulk deletion, a client from an environment record
// deleting ids read from a web stream, and the errors of a wrong REST key and a bad
// configuration, against the emulator served on 127.0.0.1. `core`, `env` and `read` are
// `@batch-custom-data/core`, `…/core/env` and `…/core/ids`; `extra` joins every client's
// options (a page passes `{ dangerouslyAllowBrowser: true }`). Throws on anything unexpected;
// returns the tokens it got. Uses ids[0] to ids[4].
export async function scenario({ core, env, read }, { baseUrl, apiKey, restApiKey, ids }, extra) {
  const check = (ok, what) => {
    if (!ok) throw new Error(`check failed: ${what}`);
  };
  const client = core.createClient({ apiKey, restApiKey, baseUrl, ...extra });

  const single = await client.deleteUser(ids[0]);
  check(/^[0-9a-f-]{36}$/.test(single.token), "deleteUser resolves with a token");

  const report = await client.deleteUsers(ids.slice(1, 3));
  check(report.confirmed === 2 && report.failed === 0, "deleteUsers confirms both ids");
  check(report.tokens.length === 1 && report.complete === true, "one bulk call, read whole");

  // The portable subpaths: an environment record (a Worker's env, Deno.env.toObject()) and
  // ids read, in batches, from a web ReadableStream.
  const fromEnv = env.createClientFromEnv(
    { BATCH_API_KEY: apiKey, BATCH_REST_API_KEY: restApiKey, BATCH_BASE_URL: baseUrl },
    extra,
  );
  const stream = new Blob([`${ids.slice(3, 5).join("\n")}\n`]).stream();
  const streamed = await fromEnv.deleteUsers(read.readIds(stream, { name: "blob" }));
  check(streamed.confirmed === 2 && streamed.complete === true, "ids from a stream deleted");

  const wrong = core.createClient({
    apiKey,
    restApiKey: "not-the-rest-key",
    baseUrl,
    retry: false,
    ...extra,
  });
  let error;
  try {
    await wrong.deleteUser(ids[0]);
  } catch (caught) {
    error = caught;
  }
  check(error instanceof core.BatchApiError, "a 401 is a BatchApiError");
  check(error instanceof core.BatchError, "every error is a BatchError");
  check(core.isBatchApiError(error) && core.isBatchError(error), "the guards agree");
  check(
    error.name === "AUTHENTICATION_INVALID" && error.status === 401 && error.code === 10,
    "401 / 10",
  );
  const printed = `${error.message} ${String(error)} ${JSON.stringify(error)}`;
  check(!printed.includes(apiKey) && !printed.includes("not-the-rest-key"), "no key in the error");

  let invalid;
  try {
    env.createClientFromEnv({ BATCH_API_KEY: apiKey }, extra);
  } catch (caught) {
    invalid = caught;
  }
  // Thrown by the /env subpath, recognised by the main entry's class: one copy of the errors.
  check(
    invalid instanceof core.BatchValidationError,
    "/env throws the main entry's BatchValidationError",
  );
  check(invalid.variable === "BATCH_REST_API_KEY", "the error names the variable to set");

  return [single.token, ...report.tokens, ...streamed.tokens].map((t) => t.token ?? t);
}
