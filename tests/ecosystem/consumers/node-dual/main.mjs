// An ES module app whose CommonJS dependency uses the package too: Node then loads two copies
// of the core (its ESM build and its CJS build), each with its own error classes. What crosses
// between them must still be recognised.
import { createRequire } from "node:module";
import * as esm from "@batch-custom-data/core";

const require = createRequire(import.meta.url);
const cjs = require("@batch-custom-data/core"); // what a CommonJS dependency gets
const nodeCjs = require("@batch-custom-data/node"); // a CommonJS dependency built on the core

const config = JSON.parse(process.argv[2]);
const { baseUrl, apiKey, restApiKey, ids } = config;
const check = (ok, what) => {
  if (!ok) throw new Error(`check failed: ${what}`);
};

// Both copies work.
const a = await esm.createClient({ apiKey, restApiKey, baseUrl }).deleteUser(ids[0]);
const b = await nodeCjs.createClient({ apiKey, restApiKey, baseUrl }).deleteUsers([ids[1], ids[2]]);
check(b.confirmed === 2, "the CJS copy deletes");

// An error made by the CJS copy, caught by code written against the ESM copy.
let error;
try {
  await nodeCjs
    .createClient({ apiKey, restApiKey: "not-the-rest-key", baseUrl, retry: false })
    .deleteUser(ids[0]);
} catch (caught) {
  error = caught;
}
check(error instanceof cjs.BatchApiError, "the CJS copy's own instanceof");
check(
  error.name === "AUTHENTICATION_INVALID" && error.status === 401 && error.code === 10,
  "its fields",
);

// The guards recognise an error made by either copy, where `instanceof` cannot.
check(esm.isBatchApiError(error) && esm.isBatchError(error), "the ESM guards know the CJS error");
const esmError = await esm
  .createClient({ apiKey, restApiKey: "not-the-rest-key", baseUrl, retry: false })
  .deleteUser(ids[0])
  .then(
    () => undefined,
    (caught) => caught,
  );
check(esm.isBatchApiError(esmError), "the ESM copy's own error");
check(
  cjs.isBatchApiError(esmError) && nodeCjs.isBatchError(esmError),
  "the CJS guards know the ESM error",
);
check(
  !esm.isBatchError(new Error("plain")) && !cjs.isBatchApiError({ name: "AUTHENTICATION_INVALID" }),
  "and nothing else",
);

const observed = {
  copies: esm.BatchError === cjs.BatchError ? 1 : 2,
  nodeCjsUsesCjsCore: nodeCjs.BatchError === cjs.BatchError,
  // The dual-package hazard: false while two copies of the classes are loaded.
  instanceofAcrossCopies: error instanceof esm.BatchApiError,
};
console.log(
  `RESULT ${JSON.stringify({ ok: true, tokens: [a.token, ...b.tokens.map((t) => t.token)], observed })}`,
);
