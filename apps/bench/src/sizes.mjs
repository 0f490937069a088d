// Bundle sizes: each published package's entry and each comparable HTTP client, bundled with
// its dependencies by esbuild (minified, ESM), then gzipped by zlib at level 9: what an app
// that imports it ships. Browser-capable entries are bundled for the browser (as bundle-size
// sites do, and as the fetch clients are compared); Node-only ones for Node (built-ins external).
// Runs alone too: `node src/sizes.mjs`.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { BENCH_DIR, fmtKb, REPO_DIR, table } from "./util.mjs";

/** Published workspace packages (not private) with their entries, from their package.json. */
function workspaceEntries() {
  const entries = [];
  const dir = join(REPO_DIR, "packages");
  for (const name of readdirSync(dir).sort()) {
    const file = join(dir, name, "package.json");
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, "utf8"));
    if (pkg.private) continue;
    const pkgDir = join(dir, name);
    const nodeOnly = (sub) =>
      !pkg.exports?.[sub] ||
      !Object.keys(pkg.exports[sub]).some((k) =>
        ["browser", "workerd", "worker", "deno"].includes(k),
      );
    // The core is portable, every entry of it; the emulator too but for its "./node" server.
    const platformOf = (sub) =>
      name === "core"
        ? "browser"
        : name === "emulator"
          ? sub === "."
            ? "browser"
            : "node"
          : nodeOnly(sub)
            ? "node"
            : "browser";
    const subs = Object.keys(pkg.exports ?? {}).filter(
      (sub) => sub !== "./package.json" && !sub.includes("*"),
    );
    if (subs.length) {
      for (const sub of subs) {
        const spec = sub === "." ? pkg.name : `${pkg.name}/${sub.slice(2)}`;
        entries.push({
          name: spec,
          kind: "workspace",
          module: spec,
          platform: platformOf(sub),
          pkgDir,
        });
      }
    } else if (pkg.bin) {
      const bin = typeof pkg.bin === "string" ? pkg.bin : Object.values(pkg.bin)[0];
      entries.push({
        name: pkg.name,
        note: "its bin, dependencies bundled",
        kind: "workspace",
        file: join(pkgDir, bin),
        platform: "node",
        pkgDir,
      });
    } else if (pkg.main || pkg.module) {
      entries.push({
        name: pkg.name,
        kind: "workspace",
        file: join(pkgDir, pkg.module ?? pkg.main),
        platform: "node",
        pkgDir,
      });
    } else {
      entries.push({ name: pkg.name, kind: "workspace", missing: "no entry in package.json yet" });
    }
  }
  return entries;
}

const PEERS = [
  { name: "ky", module: "ky", platform: "browser", kind: "peer" },
  { name: "ofetch", module: "ofetch", platform: "browser", kind: "peer" },
  { name: "axios", module: "axios", platform: "browser", kind: "peer" },
];

/** `resolveDir`: a workspace package's own directory, so it resolves itself (by its name) and
 * its dependencies as it would when installed; the peers resolve from this app. */
async function bundle(contents, platform, resolveDir = BENCH_DIR) {
  const result = await build({
    stdin: { contents, resolveDir, loader: "js" },
    bundle: true,
    minify: true,
    format: "esm",
    platform,
    target: "es2022",
    // The Workers runtime's own modules (`cloudflare:workers`) are the platform's, like node:*.
    external: ["cloudflare:*"],
    write: false,
    logLevel: "silent",
    legalComments: "none",
  });
  return result.outputFiles[0].contents;
}

/** Everything the entry exports (its default export too, when it has one). */
async function measureOne(entry) {
  const from = JSON.stringify(entry.file ?? entry.module);
  const attempts = entry.file
    ? [`import ${from};`]
    : [`export * from ${from}; export { default } from ${from};`, `export * from ${from};`];
  let lastError;
  for (const contents of attempts) {
    try {
      const code = await bundle(contents, entry.platform, entry.pkgDir);
      return {
        minBytes: code.length,
        gzipBytes: gzipSync(code, { level: 9 }).length,
      };
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

export async function measureSizes() {
  const entries = workspaceEntries();
  const core = entries.findIndex((e) => e.name === "@batch-custom-data/core" && !e.note);
  entries.splice(core + 1, 0, {
    name: "@batch-custom-data/core",
    note: "`createClient` only",
    kind: "workspace",
    platform: "browser",
    code: 'export { createClient } from "@batch-custom-data/core";',
  });
  // The core first (the headline), then the adapters, the CLI, the emulator; then the peers.
  const order = ["core", "node", "cli", "emulator"];
  const rank = (e) => {
    const i = order.findIndex((n) => e.name.startsWith(`@batch-custom-data/${n}`));
    return i < 0 ? order.length : i;
  };
  entries.sort((a, b) => rank(a) - rank(b));
  entries.push(...PEERS);
  const rows = [];
  for (const entry of entries) {
    const row = { name: entry.name, note: entry.note, kind: entry.kind, platform: entry.platform };
    if (entry.missing) {
      rows.push({ ...row, error: entry.missing });
      continue;
    }
    try {
      if (entry.code) {
        const code = await bundle(entry.code, entry.platform);
        Object.assign(row, {
          minBytes: code.length,
          gzipBytes: gzipSync(code, { level: 9 }).length,
        });
      } else {
        Object.assign(row, await measureOne(entry));
      }
    } catch (error) {
      const why = error.errors?.[0]?.text ?? String(error.message ?? error).split("\n")[0];
      row.error = `not measurable (${why.slice(0, 120)}): is it built?`;
    }
    rows.push(row);
  }
  return rows;
}

const name = (r) => `\`${r.name}\`${r.note ? ` (${r.note})` : ""}`;

export function sizesTable(rows) {
  return table(
    ["entry", "bundled for", "minified", "min + gzip -9"],
    rows.map((r) =>
      r.error
        ? [name(r), r.platform ?? "", "–", r.error]
        : [name(r), r.platform, fmtKb(r.minBytes), `**${fmtKb(r.gzipBytes)}**`],
    ),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(sizesTable(await measureSizes()));
}

/** What each of the core's modules buys (shown beside its bytes; a new module shows its name). */
const CORE_FEATURES = {
  "bulk.ts": "bulk deletes: chunking, bounded concurrency, the report",
  "chunk.ts": "id sources: arrays, (async) iterables, batches; stops per chunk",
  "client.ts": "createClient, deleteUser, per-app calls",
  "codes.ts": "the API's error codes, their meaning and what to do",
  "config.ts": "options checked with actionable messages",
  "errors.ts": "error classes built whole, with safe request info",
  "guards.ts": "type guards across package copies and realms",
  "ids.ts": "id validation (length, type) with messages naming the id's position",
  "pace.ts": "adaptive concurrency (AIMD) and the run-wide Retry-After pause",
  "read/error.ts": "IdReadError (a bad row, by line)",
  "redact.ts": "keys and ids redacted from every URL and message, in every encoding",
  "report.ts": "report shape",
  "request.ts": "request building (URL, headers, body)",
  "response.ts": "answers parsed: tokens, error bodies in every shape",
  "retry.ts": "retries with backoff and Retry-After",
  "send.ts": "one call: timeout, abort, redirects refused, retry loop",
  "stop.ts": "why and how a run stops: graceful stop, abort, circuit breaker",
};

/**
 * The core's main entry bundled from source (esbuild minify, browser, as measureSizes does),
 * with each module's share of the minified output. Gzip does not split by module, so each
 * module's gzip bytes are estimated in proportion to its minified bytes.
 */
export async function coreByModule() {
  const entry = join(REPO_DIR, "packages", "core", "src", "index.ts");
  if (!existsSync(entry)) return { error: "packages/core/src/index.ts not found" };
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    metafile: true,
    logLevel: "silent",
    legalComments: "none",
    outfile: "core.js",
  });
  const output = Object.values(result.metafile.outputs)[0];
  const code = result.outputFiles[0].contents;
  const minBytes = code.length;
  const gzipBytes = gzipSync(code, { level: 9 }).length;
  const modules = Object.entries(output.inputs)
    .map(([path, { bytesInOutput }]) => {
      const name = path.split("/").slice(-1)[0];
      const rel = path.includes("packages/core/src/")
        ? path.slice(path.indexOf("packages/core/src/") + "packages/core/src/".length)
        : name;
      return {
        module: rel,
        feature: CORE_FEATURES[rel] ?? "",
        minBytes: bytesInOutput,
        gzipBytesEstimate: Math.round((bytesInOutput / minBytes) * gzipBytes),
      };
    })
    .filter((m) => m.minBytes > 0)
    .sort((a, b) => b.minBytes - a.minBytes);
  return { minBytes, gzipBytes, modules };
}
