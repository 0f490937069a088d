import { createEmulator } from "@batch-custom-data/emulator";
import { assert, assertEquals, assertMatch, assertThrows } from "../test/assert.ts";
import { API_KEY, REST_KEY, serveEmulator } from "../test/emulator.ts";
import { ALLOW_ENV, BatchValidationError, createClientFromEnv, envVariables } from "./mod.ts";

const VARIABLES = [
  "BATCH_API_KEY",
  "BATCH_REST_API_KEY",
  "BATCH_BASE_URL",
  "BATCH_TIMEOUT_MS",
  "BATCH_RETRIES",
  "BATCH_CONCURRENCY",
  "BATCH_CHUNK_SIZE",
];
const TUNING = VARIABLES.slice(3);

/** Sets the variables for one test and clears every BATCH_* variable afterwards. */
async function withEnv(values: Record<string, string>, fn: () => Promise<void> | void) {
  for (const [name, value] of Object.entries(values)) Deno.env.set(name, value);
  try {
    await fn();
  } finally {
    for (const name of VARIABLES) Deno.env.delete(name);
  }
}

const noKey = (text: string) => {
  for (const key of [API_KEY, REST_KEY]) {
    assert(!text.includes(key) && !text.includes(encodeURIComponent(key)), `a key leaked: ${text}`);
  }
};

Deno.test("createClientFromEnv reads BATCH_* with Deno.env and deletes through the API", async () => {
  await using served = serveEmulator();
  served.emulator.seed(API_KEY, ["user-1", "user-2", "user-3"]);
  await withEnv(
    { BATCH_API_KEY: API_KEY, BATCH_REST_API_KEY: REST_KEY, BATCH_BASE_URL: served.baseUrl },
    async () => {
      const client = createClientFromEnv();
      const { token } = await client.deleteUser("user-1");
      assertMatch(token, /^[0-9a-f-]{36}$/);
      const report = await client.deleteUsers(["user-2", "user-3"]);
      assertEquals([report.confirmed, report.calls], [2, 1]);
      await served.emulator.settled();
      assertEquals(served.emulator.count(API_KEY), 0);
    },
  );
});

Deno.test("the tuning variables reach the client", async () => {
  await using served = serveEmulator();
  const ids = Array.from({ length: 25 }, (_, i) => `user-${i}`);
  await withEnv(
    {
      BATCH_API_KEY: API_KEY,
      BATCH_REST_API_KEY: REST_KEY,
      BATCH_BASE_URL: served.baseUrl,
      BATCH_CHUNK_SIZE: "10",
      BATCH_CONCURRENCY: "2",
    },
    async () => {
      const report = await createClientFromEnv().deleteUsers(ids);
      assertEquals([report.confirmed, report.calls], [25, 3]);
    },
  );
});

Deno.test("a bad value is named by its variable, not quoted", async () => {
  await withEnv(
    { BATCH_API_KEY: API_KEY, BATCH_REST_API_KEY: REST_KEY, BATCH_CONCURRENCY: "lots" },
    () => {
      const error = assertThrows(() => createClientFromEnv(), BatchValidationError);
      assertMatch(error.message, /BATCH_CONCURRENCY/);
      noKey(error.message);
    },
  );
  await withEnv({ BATCH_REST_API_KEY: REST_KEY }, () => {
    const error = assertThrows(() => createClientFromEnv(), BatchValidationError);
    assertMatch(error.message, /BATCH_API_KEY is not set/);
  });
});

Deno.test("ALLOW_ENV lists every variable; overridden ones are not read", () => {
  assertEquals(ALLOW_ENV, `--allow-env=${VARIABLES.join(",")}`);
  assertEquals(envVariables(), VARIABLES);
  assertEquals(
    envVariables({ apiKey: "k", restApiKey: "r", baseUrl: "http://127.0.0.1:1/1.0" }),
    TUNING,
  );
});

Deno.test({
  name: "without env permission: an error naming the --allow-env flag, nothing read",
  permissions: { env: false, net: ["127.0.0.1"] },
  fn() {
    const error = assertThrows(() => createClientFromEnv(), BatchValidationError);
    assertEquals(
      error.message,
      `Deno may not read ${VARIABLES.join(", ")}: run with --allow-env=${VARIABLES.join(",")}.`,
    );
  },
});

Deno.test({
  name: "with part of the list: names what is missing and the whole flag",
  permissions: { env: ["BATCH_API_KEY", "BATCH_REST_API_KEY"], net: ["127.0.0.1"] },
  fn() {
    const error = assertThrows(() => createClientFromEnv(), BatchValidationError);
    assertMatch(error.message, new RegExp(`^Deno may not read ${VARIABLES.slice(2).join(", ")}:`));
    assertMatch(error.message, new RegExp(`--allow-env=${VARIABLES.join(",")}\\.$`));
  },
});

Deno.test({
  name: "an overridden variable needs no permission",
  permissions: { env: TUNING, net: ["127.0.0.1"] },
  async fn() {
    await using served = serveEmulator();
    const client = createClientFromEnv({
      apiKey: API_KEY,
      restApiKey: REST_KEY,
      baseUrl: served.baseUrl,
    });
    assertMatch((await client.deleteUser("user-1")).token, /^[0-9a-f-]{36}$/);
  },
});

Deno.test({
  name: "without net permission for the API's host: an error naming --allow-net=host:port",
  permissions: { env: TUNING, net: false },
  fn() {
    const keys = { apiKey: API_KEY, restApiKey: REST_KEY };
    const local = assertThrows(
      () => createClientFromEnv({ ...keys, baseUrl: "http://127.0.0.1:8787/1.0" }),
      BatchValidationError,
    );
    assertEquals(
      local.message,
      "Deno may not connect to the API at 127.0.0.1:8787: run with --allow-net=127.0.0.1:8787.",
    );
    noKey(local.message);
  },
});

Deno.test({
  name: "the default base URL needs --allow-net=api.batch.com:443",
  permissions: { env: ["BATCH_BASE_URL", ...TUNING], net: ["127.0.0.1"] },
  fn() {
    const error = assertThrows(
      () => createClientFromEnv({ apiKey: API_KEY, restApiKey: REST_KEY }),
      BatchValidationError,
    );
    assertMatch(error.message, /run with --allow-net=api\.batch\.com:443\.$/);
  },
});

Deno.test({
  name: "a fetch override (the emulator in process) needs no net permission",
  permissions: { env: ["BATCH_BASE_URL", ...TUNING], net: false },
  async fn() {
    const emulator = createEmulator({ apps: [API_KEY], restApiKey: REST_KEY });
    try {
      const client = createClientFromEnv({
        apiKey: API_KEY,
        restApiKey: REST_KEY,
        fetch: emulator.fetch,
      });
      assertMatch((await client.deleteUser("user-1")).token, /^[0-9a-f-]{36}$/);
    } finally {
      emulator.close();
    }
  },
});
