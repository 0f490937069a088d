// deno-lint-ignore-file no-import-prefix no-unversioned-import -- imported the way an npm user writes it
/**
 * Both ways in: the JSR-style module (deno.json's `exports`, the TypeScript sources with the
 * core mapped to `npm:@batch-custom-data/core`) and the npm package (package.json's `exports`,
 * `deno` condition: the built dist/). Same exports, and each one works end to end.
 */

import * as npm from "npm:@batch-custom-data/deno";
import * as jsr from "@batch-custom-data/deno";
import { assertEquals, assertMatch } from "../test/assert.ts";
import { API_KEY, REST_KEY, serveEmulator } from "../test/emulator.ts";

const exportsOf = (mod: object) => Object.keys(mod).sort();

Deno.test("the npm build exports exactly what the JSR-style module exports", () => {
  assertEquals(exportsOf(npm), exportsOf(jsr));
  for (const name of ["createClientFromEnv", "readIds", "countIds", "createClient", "ENV"]) {
    assertEquals(name in jsr, true, name);
  }
});

for (const [label, mod] of [
  ["JSR-style", jsr],
  ["npm", npm],
] as const) {
  Deno.test(`${label}: a file's ids deleted through the served emulator`, async () => {
    await using served = serveEmulator();
    served.emulator.seed(API_KEY, ["user-1", "user 2 ", "üser-3", "user-4"]);
    const client = mod.createClientFromEnv({
      apiKey: API_KEY,
      restApiKey: REST_KEY,
      baseUrl: served.baseUrl,
    });
    const report = await client.deleteUsers(mod.readIds("test/fixtures/ids.txt"));
    assertEquals([report.confirmed, report.failed, report.calls], [4, 0, 1]);
    assertMatch(report.tokens[0]?.token ?? "", /^[0-9a-f-]{36}$/);
    await served.emulator.settled();
    assertEquals(served.emulator.count(API_KEY), 0);
  });
}
