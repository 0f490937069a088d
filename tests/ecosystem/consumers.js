// The consumers: one fresh project each, made from `consumers/<fixtures>`, with our tarballs
// (`packages`) and registry packages (`registry`) installed by npm, seeded with `ids` users in
// the served emulator. `run(ctx)` does a real deletion in its runtime and returns the tokens it
// got; the harness then checks, on the emulator's side, that every token is a transaction it
// processed and that none of the consumer's users has data left. A consumer passes only if
// all of that holds; one that cannot install or start fails.
//
// To test a new package in a runtime, add its name to that consumer's `packages` (and use it
// in the consumer's files); to test a new runtime, add an entry here.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { runChromium } from "./lib/chromium.js";
import { runWorker } from "./lib/workerd.js";

const NODE_TYPES = { "@types/node": "20.19.43" };

const NODE_PACKAGES = ["@batch-custom-data/core", "@batch-custom-data/node"];

/**
 * A consumer that runs one script (`node main.mjs <config>`, or another runner) and passes on
 * its RESULT line; with `tsc`, the TypeScript is compiled first and its output run.
 */
function scripted({ name, what, fixtures, script, runner, tsc = false, ...rest }) {
  return {
    name,
    what,
    fixtures,
    packages: NODE_PACKAGES,
    ...(tsc ? { registry: NODE_TYPES } : {}),
    ids: 7,
    ...rest,
    async run(ctx) {
      if (tsc) await ctx.exec(ctx.tool("tsc"), ["-p", "tsconfig.json"]);
      const command = runner ? ctx.tool(runner) : "node";
      return ctx.expectResult(ctx.exec(command, [script, ctx.configJson]));
    },
  };
}

export const consumers = [
  scripted({
    name: "node-esm",
    what: "Node ESM: `import` of core, core/env, core/ids and node; the scenario, then createClientFromEnv + readIds(file)",
    fixtures: ["_shared", "node-esm"],
    script: "main.mjs",
  }),
  scripted({
    name: "node-cjs",
    what: "Node CommonJS: `require` of core, core/env, core/ids and node; the same on the CJS builds",
    fixtures: ["_shared", "node-cjs"],
    script: "main.cjs",
  }),
  scripted({
    name: "node-dual",
    what: "Node ESM app + a CommonJS dependency: both builds of the core loaded at once; errors crossing copies",
    fixtures: ["node-dual"],
    script: "main.mjs",
    ids: 3,
  }),
  scripted({
    name: "ts-node16",
    what: 'TypeScript, moduleResolution "node16" (CommonJS output, .d.cts): tsc with skipLibCheck off (our .d.cts checked too), then run',
    fixtures: ["_ts", "ts-node16"],
    script: "dist/main.js",
    tsc: true,
  }),
  scripted({
    name: "ts-bundler",
    what: 'TypeScript, moduleResolution "bundler" (ESM output, .d.ts): tsc, then run',
    fixtures: ["_ts", "ts-bundler"],
    script: "dist/main.js",
    tsc: true,
  }),
  scripted({
    name: "bun",
    what: "Bun (npm's bun binary): main.ts run directly",
    fixtures: ["_shared", "bun"],
    packages: ["@batch-custom-data/core"],
    script: "main.ts",
    runner: "bun",
    ids: 5,
  }),
  {
    name: "deno",
    what: "Deno (npm's deno binary), node_modules from npm: core and the deno adapter; deno check, then deno run with --allow-net=127.0.0.1, the adapter's --allow-env list and --allow-read=ids.txt only",
    fixtures: ["_shared", "deno"],
    packages: ["@batch-custom-data/core", "@batch-custom-data/deno"],
    ids: 7,
    async run(ctx) {
      const deno = ctx.tool("deno");
      ctx.writeFile("ids.txt", `${ctx.config.ids.slice(5).join("\n")}\n`);
      await ctx.exec(deno, ["check", "main.ts"]);
      // Exactly the variables the installed core reads (its ENV_VARIABLES), no more.
      const { ENV_VARIABLES } = createRequire(join(ctx.dir, "package.json"))(
        "@batch-custom-data/core/env",
      );
      const allowEnv = `--allow-env=${ENV_VARIABLES.join(",")}`;
      const flags = ["--allow-net=127.0.0.1", allowEnv, "--allow-read=ids.txt"];
      return ctx.expectResult(ctx.exec(deno, ["run", ...flags, "main.ts", ctx.configJson]));
    },
  },
  {
    name: "workerd",
    what: "Cloudflare Worker with core and the cloudflare adapter (client from bindings): bundled by wrangler 4.86 (deploy --dry-run, no nodejs_compat), run in Miniflare/workerd",
    fixtures: ["_shared", "workerd"],
    packages: ["@batch-custom-data/core", "@batch-custom-data/cloudflare"],
    ids: 7,
    async run(ctx) {
      await ctx.exec(ctx.tool("wrangler"), ["deploy", "--dry-run", "--outdir", "dist"]);
      const script = readFileSync(join(ctx.dir, "dist", "worker.js"), "utf8");
      return runWorker(script, ctx.config, {
        BATCH_API_KEY: ctx.config.apiKey,
        BATCH_REST_API_KEY: ctx.config.restApiKey,
        BATCH_BASE_URL: ctx.config.baseUrl,
      });
    },
  },
  {
    name: "chromium",
    what: "Chromium (Debian's, or CHROMIUM_PATH) via playwright-core: a page bundled by esbuild (browser condition) with core and browser, cross-origin to the emulator; clients refused without dangerouslyAllowBrowser, ids from a File, isBatchProxyError",
    fixtures: ["_shared", "chromium"],
    packages: ["@batch-custom-data/core", "@batch-custom-data/browser"],
    ids: 7,
    async run(ctx) {
      const result = await runChromium(ctx.dir, ctx.config);
      // esbuild's platform "browser" resolves the package's `browser` condition: its build
      // that refuses whatever run-time detection says (dist/browser.js), not the default one.
      const bundle = readFileSync(join(ctx.dir, "dist", "bundle.js"), "utf8");
      if (!/refuseInBrowser\("createClient", \w+, true\)/.test(bundle)) {
        throw new Error(
          "the page's bundle does not hold @batch-custom-data/browser's browser build",
        );
      }
      return result;
    },
  },
  {
    name: "cli",
    what: "the CLI tarball: npx batch-custom-data --help and --version, delete (args, --json), delete --file",
    fixtures: ["cli"],
    packages: ["@batch-custom-data/cli"],
    ids: 4,
    async run(ctx) {
      // `--no`: never fetch a package from the registry; `--`: the rest is the command's.
      const npx = (...args) => ctx.exec("npx", ["--no", "--", "batch-custom-data", ...args]);
      const help = await npx("--help");
      for (const word of ["Usage: batch-custom-data", "delete", "emulator"]) {
        if (!help.stdout.includes(word)) throw new Error(`--help does not mention "${word}"`);
      }
      const { version } = ctx.packed["@batch-custom-data/cli"].manifest;
      const printed = (await npx("--version")).stdout.trim();
      if (printed !== version)
        throw new Error(`--version printed ${printed}, the package is ${version}`);

      const json = await npx("delete", "--json", "--", ctx.config.ids[0], ctx.config.ids[1]);
      const report = JSON.parse(json.stdout);
      if (!report.ok || report.confirmed !== 2) throw new Error(`delete --json: ${json.stdout}`);

      ctx.writeFile("ids.txt", `${ctx.config.ids.slice(2).join("\n")}\n`);
      const fromFile = await npx("delete", "--file", "ids.txt");
      if (!/^Done: 2 of 2 ids from ids\.txt confirmed/m.test(fromFile.stdout)) {
        throw new Error(`delete --file: ${fromFile.stdout}`);
      }
      for (const res of [help, json, fromFile]) ctx.assertNoKeys(`${res.stdout}${res.stderr}`);
      return { tokens: [...report.tokens, ...tokensIn(fromFile.stdout)].map((t) => t.token ?? t) };
    },
  },
];

/** The uuid-shaped tokens a human-readable CLI report prints. */
function tokensIn(text) {
  return text.match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g) ?? [];
}
