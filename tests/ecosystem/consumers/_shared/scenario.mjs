// What every consumer does with the core it loaded (passed in, so each consumer imports the
// package its own way): one deletion, a bulk deletion, and a wrong REST key, against the
// emulator served on 127.0.0.1. Throws on anything unexpected; returns the tokens it got.
export async function scenario(core, { baseUrl, apiKey, restApiKey, ids }, extra = {}) {
  const check = (ok, what) => {
    if (!ok) throw new Error(`check failed: ${what}`);
  };
  const client = core.createClient({ apiKey, restApiKey, baseUrl, ...extra });

  const single = await client.deleteUser(ids[0]);
  check(/^[0-9a-f-]{36}$/.test(single.token), "deleteUser resolves with a token");

  const report = await client.deleteUsers(ids.slice(1, 3));
  check(report.confirmed === 2 && report.failed === 0, "deleteUsers confirms both ids");
  check(report.tokens.length === 1 && report.complete === true, "one bulk call, read whole");

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
  check(
    error.name === "AUTHENTICATION_INVALID" && error.status === 401 && error.code === 10,
    "401 / 10",
  );
  const printed = `${error.message} ${String(error)} ${JSON.stringify(error)}`;
  check(!printed.includes(apiKey) && !printed.includes("not-the-rest-key"), "no key in the error");

  let invalid;
  try {
    core.createClient({ apiKey, restApiKey, baseUrl: "not a url" });
  } catch (caught) {
    invalid = caught;
  }
  check(invalid instanceof core.BatchValidationError, "bad config throws BatchValidationError");

  return [single.token, ...report.tokens.map((t) => t.token)];
}
