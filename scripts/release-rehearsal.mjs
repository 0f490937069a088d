#!/usr/bin/env node
// A full release, for real, to a private registry on 127.0.0.1: what the release workflow does
// on GitHub, short of npm itself. In a temporary clone of this repository's HEAD it runs
// `pnpm run version-packages` and commits (the version pull request), then `pnpm release`
// (build, every test, `changeset publish`) against Verdaccio (installed with npm into the
// temporary directory, no uplink: it knows only what is published to it). Then it checks what
// the registry holds: every public package at the new version, its dependencies on the others
// pinned to it, git tags, and the CLI installed from the registry printing its version.
//
//   node scripts/release-rehearsal.mjs                  # the whole of `pnpm release` (minutes)
//   node scripts/release-rehearsal.mjs --publish-only   # build + `changeset publish` only
//
// Nothing leaves the machine: the registry listens on 127.0.0.1 and stops at the end.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { publicPackages, root } from "./workspace.mjs";

const publishOnly = process.argv.includes("--publish-only");
const keep = process.argv.includes("--keep");
const tmp = mkdtempSync(join(tmpdir(), "release-rehearsal-"));
const repo = join(tmp, "repo");
const env = {
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|pnpm_)/i.test(k))),
  CI: "true",
  TURBO_TELEMETRY_DISABLED: "1",
  DENO_NO_UPDATE_CHECK: "1",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_SEND_METRICS: "false",
};
let registry;

function run(label, cmd, args, options = {}) {
  console.log(`\n== rehearsal: ${label}`);
  const res = spawnSync(cmd, args, { cwd: repo, env, stdio: "inherit", ...options });
  if (res.status !== 0) throw new Error(`${label} failed (exit ${res.status})`);
}

function output(cmd, args, options = {}) {
  const res = spawnSync(cmd, args, { cwd: repo, env, encoding: "utf8", ...options });
  if (res.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${res.stderr}`);
  return res.stdout.trim();
}

function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startRegistry() {
  const dir = join(tmp, "registry");
  mkdirSync(dir);
  // Verdaccio 6.8.0 installs on Node 20 with node-fetch held at 2.7.0 (6.10 wants Node 22).
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({
      private: true,
      dependencies: { verdaccio: "6.8.0" },
      overrides: { "node-fetch": "2.7.0" },
    }),
  );
  run(
    "install verdaccio (npm)",
    "npm",
    ["install", "--no-audit", "--no-fund", "--loglevel=error"],
    {
      cwd: dir,
    },
  );
  const port = await freePort();
  writeFileSync(
    join(dir, "config.yaml"),
    [
      "storage: ./storage",
      "auth:",
      "  htpasswd:",
      "    file: ./htpasswd",
      // No uplink: the registry knows only what the rehearsal publishes to it.
      "uplinks: {}",
      "packages:",
      "  '**':",
      "    access: $all",
      "    publish: $authenticated",
      `listen: 127.0.0.1:${port}`,
      "log: { type: stdout, format: pretty, level: warn }",
      "",
    ].join("\n"),
  );
  const child = spawn(join(dir, "node_modules/.bin/verdaccio"), ["--config", "config.yaml"], {
    cwd: dir,
    stdio: "ignore",
    detached: true,
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (
      await fetch(`${url}/-/ping`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const user = await fetch(`${url}/-/user/org.couchdb.user:rehearsal`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "rehearsal", password: `pw-${Date.now()}` }),
  }).then((r) => r.json());
  if (!user.token) throw new Error(`the registry refused a user: ${JSON.stringify(user)}`);
  return { url, token: user.token, stop: () => process.kill(-child.pid, "SIGTERM") };
}

try {
  registry = await startRegistry();
  run("clone HEAD", "git", ["clone", "--quiet", root, repo], { cwd: tmp });
  // Only our scope goes to the rehearsal's registry, set before the install so that pnpm's
  // view of the workspace does not change afterwards. pnpm 12 reads registries from the
  // project's .npmrc (it ignores npm_config_registry) and a token only from ~/.npmrc or the
  // file pnpm_config_npmrc_auth_file names; changesets' `npm info` reads npm_config_*.
  const scopeRegistry = `${registry.url}/`;
  const npmrc = join(repo, ".npmrc");
  writeFileSync(
    npmrc,
    `${readFileSync(npmrc, "utf8")}@batch-custom-data:registry=${scopeRegistry}\n`,
  );
  run("keep that line out of the version commit", "git", [
    "update-index",
    "--assume-unchanged",
    ".npmrc",
  ]);
  // The user's own settings, plus the rehearsal registry's token.
  const userNpmrc = join(homedir(), ".npmrc");
  const auth = join(tmp, "auth.npmrc");
  writeFileSync(
    auth,
    `${existsSync(userNpmrc) ? `${readFileSync(userNpmrc, "utf8")}\n` : ""}${registry.url.replace(/^http:/, "")}/:_authToken=${registry.token}\n`,
  );
  Object.assign(env, {
    pnpm_config_npmrc_auth_file: auth,
    npm_config_userconfig: auth,
    "npm_config_@batch-custom-data:registry": scopeRegistry,
  });
  run("install", "pnpm", ["install", "--frozen-lockfile"]);
  const seen = output("pnpm", ["config", "get", "@batch-custom-data:registry"]);
  if (seen !== scopeRegistry) {
    throw new Error(`pnpm would publish to ${seen}, not the rehearsal's registry: stopping`);
  }
  run("version packages (the version pull request)", "pnpm", ["run", "version-packages"]);
  run("commit it", "git", [
    "-c",
    "user.name=rehearsal",
    "-c",
    "user.email=rehearsal@localhost",
    "commit",
    "--quiet",
    "-am",
    "release: version packages",
  ]);
  const packages = publicPackages(repo);
  const version = packages[0].manifest.version;

  if (publishOnly) {
    run("build", "pnpm", ["exec", "turbo", "run", "build"]);
    run("changeset publish", "pnpm", ["exec", "changeset", "publish"]);
  } else {
    run("pnpm release", "pnpm", ["release"]);
  }

  console.log("\n== rehearsal: what the registry holds");
  const problems = [];
  for (const pkg of packages) {
    const info = JSON.parse(output("npm", ["view", `${pkg.name}@${version}`, "--json"]));
    const deps = Object.entries(info.dependencies ?? {}).filter(([d]) =>
      packages.some((p) => p.name === d),
    );
    console.log(
      `${pkg.name}@${info.version}: ${info.dist.integrity.slice(0, 20)}…, ${deps.map(([d, r]) => `${d} ${r}`).join(", ") || "no internal dependency"}`,
    );
    if (info.version !== version) problems.push(`${pkg.name} is at ${info.version}`);
    for (const [dep, range] of deps) {
      if (range !== `^${version}` && range !== version) {
        problems.push(`${pkg.name} depends on ${dep} ${range}, not the released ${version}`);
      }
    }
  }
  const tags = output("git", ["tag", "--list"]).split("\n").filter(Boolean);
  console.log(`git tags: ${tags.join(", ")}`);
  for (const pkg of packages) {
    if (!tags.includes(`${pkg.name}@${version}`)) problems.push(`no tag ${pkg.name}@${version}`);
  }
  // A user's machine: npm's registry, with only our scope pointed at the rehearsal's.
  const consumer = join(tmp, "consumer");
  mkdirSync(consumer);
  writeFileSync(join(consumer, "package.json"), '{ "private": true }\n');
  run(
    "npm install @batch-custom-data/cli from the registry",
    "npm",
    [
      "install",
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      `--@batch-custom-data:registry=${registry.url}`,
      "@batch-custom-data/cli",
    ],
    { cwd: consumer },
  );
  const printed = output("npx", ["--no", "--", "batch-custom-data", "--version"], {
    cwd: consumer,
  });
  console.log(`npx batch-custom-data --version: ${printed}`);
  if (printed !== version) problems.push(`the installed CLI prints ${printed}`);

  if (problems.length > 0) throw new Error(problems.join("; "));
  console.log(
    `\nrehearsal: released ${packages.length} packages at ${version} to ${registry.url}, all checks passed`,
  );
} catch (error) {
  console.error(`\nrehearsal failed: ${error.message}`);
  process.exitCode = 1;
} finally {
  registry?.stop();
  if (keep) console.log(`kept ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
}
