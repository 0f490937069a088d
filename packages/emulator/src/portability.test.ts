import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const here = new URL(".", import.meta.url).pathname;
const handlerModules = readdirSync(here).filter(
  (f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && f !== "node.ts",
);

describe("the handler entry runs on any runtime", () => {
  it("has the modules it should", () => {
    expect(handlerModules).toEqual(
      expect.arrayContaining([
        "index.ts",
        "handler.ts",
        "state.ts",
        "faults.ts",
        "body.ts",
        "errors.ts",
        "auth.ts",
        "log.ts",
      ]),
    );
  });

  it.each(handlerModules)("%s uses web APIs only", (file) => {
    const source = readFileSync(join(here, file), "utf8");
    const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
    expect(code).not.toMatch(/from\s+["']node:/);
    expect(code).not.toMatch(
      /from\s+["'](fs|http|https|net|os|path|crypto|stream|buffer|child_process|url)["']/,
    );
    expect(code).not.toMatch(/\brequire\(/);
    expect(code).not.toMatch(/\bprocess\./);
    expect(code).not.toMatch(/\bBuffer\b/);
    expect(code).not.toMatch(/\b(Deno|Bun)\./);
    for (const match of code.matchAll(/from\s+["']([^"']+)["']/g)) {
      expect(["hono", "vitest"].includes(match[1]!) || match[1]!.startsWith("./"), match[1]).toBe(
        true,
      );
    }
    expect(code).not.toMatch(/from\s+["']\.\/node\.js["']/);
  });
});
