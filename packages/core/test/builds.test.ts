// Two copies of the core in one program: an app importing the ESM build and a dependency
// requiring the CJS one, or code running in another realm (a vm context, an iframe). Each copy
// has its own classes, so `instanceof` fails across them; the guards must not. Loads the built
// files (`test` runs after `build`).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";
import { describe, expect, it } from "vitest";

type Core = typeof import("../src/index.js");
type Ids = typeof import("../src/read/index.js");

const dist = join(dirname(fileURLToPath(import.meta.url)), "..", "dist");
const esm = (await import(join(dist, "index.js"))) as Core;
const esmIds = (await import(join(dist, "ids.js"))) as Ids;
const require = createRequire(import.meta.url);
const cjs = require(join(dist, "index.cjs")) as Core;
const cjsIds = require(join(dist, "ids.cjs")) as Ids;

/** The CJS build evaluated in a new realm: its own globals, its own Error. */
function loadInRealm(entry: string): unknown {
  const context = vm.createContext({});
  const cache = new Map<string, { exports: unknown }>();
  const load = (file: string): unknown => {
    const cached = cache.get(file);
    if (cached) return cached.exports;
    const module = { exports: {} };
    cache.set(file, module);
    const wrapper = vm.runInContext(
      `(function (module, exports, require) {${readFileSync(file, "utf8")}\n})`,
      context,
      { filename: file },
    );
    wrapper(module, module.exports, (path: string) => load(join(dirname(file), path)));
    return module.exports;
  };
  return load(join(dist, entry));
}
const realm = loadInRealm("index.cjs") as Core;
const realmIds = loadInRealm("ids.cjs") as Ids;

const request = { method: "DELETE", url: "https://x/1.0/***/data/users", app: "0" } as const;
/** One error of each class, made by a given copy of the core. */
function errorsOf(core: Core, ids: Ids) {
  return {
    isBatchApiError: new core.BatchApiError("HTTP 401", {
      name: "AUTHENTICATION_INVALID",
      status: 401,
      code: 10,
      retryable: false,
      request,
      attempts: 1,
    }),
    isBatchNetworkError: new core.BatchNetworkError("reset", { request, attempts: 1 }),
    isBatchTimeoutError: new core.BatchTimeoutError("slow", { request, attempts: 1 }),
    isBatchAbortError: new core.BatchAbortError("aborted"),
    isBatchValidationError: new core.BatchValidationError("bad", { option: "apiKey" }),
    isBatchDeleteError: new core.BatchDeleteError("1 of 1", { report: {} as never }),
    isBatchHookError: new core.BatchHookError("hook", { hook: "onChunk", cause: "x" }),
    isBatchSourceError: new core.BatchSourceError("source", { cause: "x" }),
    isIdReadError: new ids.IdReadError("input", 1, "bad"),
  };
}
type Guard = keyof ReturnType<typeof errorsOf>;
const guards = (core: Core, ids: Ids): Record<Guard, (value: unknown) => boolean> => ({
  isBatchApiError: core.isBatchApiError,
  isBatchNetworkError: core.isBatchNetworkError,
  isBatchTimeoutError: core.isBatchTimeoutError,
  isBatchAbortError: core.isBatchAbortError,
  isBatchValidationError: core.isBatchValidationError,
  isBatchDeleteError: core.isBatchDeleteError,
  isBatchHookError: core.isBatchHookError,
  isBatchSourceError: core.isBatchSourceError,
  isIdReadError: ids.isIdReadError,
});

describe("guards across copies and realms", () => {
  const copies: [string, Core, Ids][] = [
    ["the ESM build", esm, esmIds],
    ["the CJS build", cjs, cjsIds],
    ["the CJS build in another realm", realm, realmIds],
  ];

  it("the copies really are distinct: instanceof fails across them", () => {
    const fromCjs = errorsOf(cjs, cjsIds).isBatchApiError;
    expect(fromCjs instanceof esm.BatchApiError).toBe(false);
    expect(fromCjs instanceof esm.BatchError).toBe(false);
    expect(errorsOf(realm, realmIds).isBatchApiError instanceof Error).toBe(false);
  });

  for (const [maker, makerCore, makerIds] of copies) {
    for (const [checker, checkerCore, checkerIds] of copies) {
      it(`errors made by ${maker} are recognised by ${checker}'s guards, and only by the right ones`, () => {
        const made = errorsOf(makerCore, makerIds);
        const check = guards(checkerCore, checkerIds);
        for (const [guard, error] of Object.entries(made) as [Guard, Error][]) {
          expect(checkerCore.isBatchError(error), `isBatchError(${guard})`).toBe(true);
          for (const other of Object.keys(check) as Guard[]) {
            // An IdReadError is a BatchValidationError too.
            const expected =
              other === guard || (guard === "isIdReadError" && other === "isBatchValidationError");
            expect(check[other](error), `${other}(${guard}'s error)`).toBe(expected);
          }
        }
      });
    }
  }

  it("nothing else passes: plain errors, look-alikes by name, non-objects", () => {
    for (const value of [
      new Error("x"),
      Object.assign(new Error("x"), { name: "BatchApiError" }),
      { name: "BatchValidationError", message: "x" },
      "BatchError",
      null,
      undefined,
      42,
    ]) {
      expect(esm.isBatchError(value)).toBe(false);
      expect(esm.isBatchApiError(value)).toBe(false);
      expect(esm.isBatchValidationError(value)).toBe(false);
    }
  });

  it("a real failure from the CJS client is recognised by the ESM guards", async () => {
    const client = cjs.createClient({
      apiKey: "app-key",
      restApiKey: "rest-key",
      fetch: async () => new Response('{"error_code":10}', { status: 401 }),
    });
    const error = await client.deleteUsers(["u1"]).catch((e: unknown) => e);
    expect(esm.isBatchDeleteError(error)).toBe(true);
    expect(esm.isBatchApiError(error)).toBe(false);
  });
});
