#!/usr/bin/env node
// The ecosystem suite: every public package of the workspace packed by `pnpm pack`, each
// tarball checked (contents, publint --strict, arethetypeswrong), then installed by npm into
// fresh consumer projects in a temporary directory, where each consumer runs a real deletion
// in its runtime against the emulator (itself served from its tarball). `node run.js [name…]`
// runs some consumers or checks only (e.g. `node run.js deno chromium`, `node run.js attw`).
// Counts go to .test-results/ecosystem.json: one test per consumer and per check; a consumer
// that cannot install or start counts as failed.
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { publicPackages } from "../../scripts/workspace.mjs";
import { consumers } from "./consumers.js";
import { attw, contentProblems, declaresTypes, publint } from "./lib/checks.js";
import { startEmulator } from "./lib/emulator.js";
import { createConsumer } from "./lib/install.js";
import { packAll } from "./lib/pack.js";
import { exec, resultLine } from "./lib/proc.js";

const here = new URL(".", import.meta.url).pathname;
const tool = (name) => join(here, "node_modules", ".bin", name);
const CONCURRENCY = 2;
const CONSUMER_TIMEOUT_MS = 180_000;
// Obviously fake keys: the emulator accepts any, and none may appear in any output.
const KEYS = { apiKey: "FAKE_APP_KEY_ecosystem_0000", restApiKey: "FAKE_REST_KEY_ecosystem_0000" };

const selected = new Set(process.argv.slice(2));
const CHECKS = ["contents", "publint", "attw"];
const known = new Set([...CHECKS, ...consumers.map((c) => c.name)]);
for (const name of selected) {
  if (!known.has(name)) {
    console.error(`unknown consumer or check "${name}": one of ${[...known].join(", ")}`);
    process.exit(2);
  }
}
const wanted = (name) => selected.size === 0 || selected.has(name);

// Consumers inherit a clean environment: nothing of pnpm's or npm's own run configuration.
const baseEnv = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !/^(npm_|pnpm_|PNPM_|INIT_CWD$)/i.test(k)),
);

const started = Date.now();
const tmp = mkdtempSync(join(tmpdir(), "ecosystem-"));
const results = [];
const record = (name, ok, ms, detail = "") => {
  results.push({ name, ok, ms, detail });
  const line = `${ok ? "✓" : "✗"} ${name} (${(ms / 1000).toFixed(1)} s)${detail ? `: ${detail}` : ""}`;
  (ok ? process.stdout : process.stderr).write(`${line}\n`);
};
const timings = {};
let emulator;

try {
  const packages = publicPackages();
  let t = Date.now();
  const packed = await packAll(packages, join(tmp, "tarballs"));
  timings.pack = Date.now() - t;
  for (const [name, p] of Object.entries(packed)) {
    console.log(`packed ${name}: ${p.files.length} files, ${statSync(p.tarball).size} bytes`);
  }

  t = Date.now();
  await runChecks(packed);
  timings.checks = Date.now() - t;

  const active = consumers.filter((c) => wanted(c.name));
  if (active.length > 0) {
    t = Date.now();
    const serverDir = join(tmp, "emulator-server");
    mkdirSync(serverDir);
    await createConsumer(serverDir, {
      fixtures: [join(here, "consumers", "emulator-server")],
      packages: ["@batch-custom-data/emulator"],
      packed,
    });
    emulator = await startEmulator(serverDir, KEYS);
    timings.emulator = Date.now() - t;
    console.log(`emulator (from its tarball) at ${emulator.baseUrl}`);
    await pool(active, CONCURRENCY, (consumer) => runConsumer(consumer, packed));
  }
} catch (error) {
  // Packing or the emulator failed: every selected consumer and check fails, none is skipped.
  console.error(`ecosystem setup failed: ${error.stack ?? error}`);
  const done = new Set(results.map((r) => r.name));
  for (const name of [...consumers.map((c) => c.name)].filter(wanted)) {
    if (!done.has(name)) record(name, false, 0, `not run: ${String(error.message).split("\n")[0]}`);
  }
  if (!results.some((r) => CHECKS.some((c) => r.name.startsWith(`${c}:`)))) {
    for (const check of CHECKS.filter(wanted)) record(`${check}:*`, false, 0, "not run");
  }
} finally {
  emulator?.stop();
  if (!process.env.ECOSYSTEM_KEEP) rmSync(tmp, { recursive: true, force: true });
  else console.log(`kept ${tmp}`);
}

const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
const wallMs = Date.now() - started;
mkdirSync(join(here, ".test-results"), { recursive: true });
writeFileSync(
  join(here, ".test-results", "ecosystem.json"),
  `${JSON.stringify({ suite: "ecosystem", passed, failed, wallMs, timings, tests: results }, null, 2)}\n`,
);
console.log(
  `\necosystem: ${passed} passed, ${failed} failed in ${(wallMs / 1000).toFixed(1)} s ` +
    `(pack ${s(timings.pack)}, checks ${s(timings.checks)}, emulator ${s(timings.emulator)})`,
);
// Exit now: idle keep-alive sockets to the stopped emulator would hold the process a while.
process.exit(failed > 0 || passed === 0 ? 1 : 0);

/** Output quoted in a failure never shows a key. */
function redact(text) {
  return Object.values(KEYS).reduce((out, key) => out.split(key).join("***"), text);
}

function s(ms) {
  return ms === undefined ? "-" : `${(ms / 1000).toFixed(1)} s`;
}

async function runChecks(packed) {
  const jobs = [];
  for (const [name, p] of Object.entries(packed)) {
    const short = name.replace(/^@batch-custom-data\//, "");
    if (wanted("contents")) {
      jobs.push(async () => {
        const t = Date.now();
        const problems = contentProblems(p);
        record(`contents:${short}`, problems.length === 0, Date.now() - t, problems.join("; "));
      });
    }
    if (wanted("publint")) {
      jobs.push(async () => {
        const t = Date.now();
        const problems = await publint(tool("publint"), p.tarball);
        record(`publint:${short}`, problems.length === 0, Date.now() - t, problems.join("; "));
      });
    }
    // A package that declares no types (the CLI: a command only) has none to check.
    if (wanted("attw") && declaresTypes(p.manifest)) {
      jobs.push(async () => {
        const t = Date.now();
        const problems = await attw(tool("attw"), p.tarball, p.manifest);
        record(`attw:${short}`, problems.length === 0, Date.now() - t, problems.join("; "));
      });
    }
  }
  await pool(jobs, CONCURRENCY, (job) => job());
}

async function runConsumer(consumer, packed) {
  const t = Date.now();
  const dir = join(tmp, consumer.name);
  mkdirSync(dir);
  const ids = Array.from({ length: consumer.ids }, (_, i) => `eco-${consumer.name}-${i + 1}`);
  const config = { ...KEYS, baseUrl: emulator.baseUrl, ids };
  const env = {
    ...baseEnv,
    BATCH_API_KEY: KEYS.apiKey,
    BATCH_REST_API_KEY: KEYS.restApiKey,
    BATCH_BASE_URL: emulator.baseUrl,
    NO_COLOR: "1",
    DENO_NO_UPDATE_CHECK: "1",
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    WRANGLER_SEND_METRICS: "false",
  };
  const deadline = t + CONSUMER_TIMEOUT_MS;
  const ctx = {
    dir,
    config,
    configJson: JSON.stringify(config),
    packed,
    tool,
    async exec(cmd, args) {
      const res = await exec(cmd, args, {
        cwd: dir,
        env,
        timeoutMs: Math.max(1, deadline - Date.now()),
      });
      if (res.code !== 0) {
        const why = res.timedOut ? "timed out" : `exited ${res.code}`;
        // The command line without the configuration (it holds the keys, fake as they are).
        const line = [
          cmd.split("/").pop(),
          ...args.map((a) => (a === ctx.configJson ? "<config>" : a)),
        ];
        const output = `${res.stderr}\n${res.stdout}`.trim().slice(-1500);
        throw new Error(`${line.join(" ")} ${why}:\n${redact(output)}`);
      }
      return res;
    },
    async expectResult(running) {
      const res = await running;
      const result = resultLine(res.stdout);
      if (!result?.ok) throw new Error(`no RESULT line:\n${res.stdout.slice(-1000)}`);
      ctx.assertNoKeys(`${res.stdout}${res.stderr}`);
      return result;
    },
    assertNoKeys(text) {
      for (const key of Object.values(KEYS)) {
        if (text.includes(key)) throw new Error("a key appears in the consumer's output");
      }
    },
    writeFile(name, text) {
      writeFileSync(join(dir, name), text);
    },
  };
  let installMs = 0;
  try {
    installMs = await createConsumer(dir, {
      fixtures: consumer.fixtures.map((f) => join(here, "consumers", f)),
      packages: consumer.packages,
      registry: consumer.registry,
      packed,
    });
    await emulator.seed(ids);
    const result = await consumer.run(ctx);
    const tokens = result?.tokens ?? [];
    if (tokens.length === 0) throw new Error("the consumer reported no token");
    const left = await emulator.leftovers(ids, tokens);
    if (left.length > 0) throw new Error(left.join("; "));
    const observed = result.observed ? ` ${JSON.stringify(result.observed)}` : "";
    record(
      consumer.name,
      true,
      Date.now() - t,
      `install ${s(installMs)}, ${tokens.length} tokens${observed}`,
    );
  } catch (error) {
    record(consumer.name, false, Date.now() - t, String(error.message ?? error));
  }
}

/** Runs `worker(item)` for every item, at most `size` at once. */
async function pool(items, size, worker) {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: Math.min(size, queue.length) }, async () => {
      while (queue.length > 0) await worker(queue.shift());
    }),
  );
}
