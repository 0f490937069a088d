// CLI memory: `batch-custom-data delete --file PATH` over files of 1M and 5M ids, peak RSS of
// the CLI's process. Measured with GNU time's "%M" (the kernel's ru_maxrss at exit) when
// /usr/bin/time exists, else by polling VmHWM in /proc/<pid>/status.

import { once } from "node:events";
import { createWriteStream, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { API_KEY, BENCH_DIR, REPO_DIR, REST_API_KEY, run } from "./util.mjs";

/** The CLI's bin file, if the package declares one and it has been built. */
export function findCli() {
  const dir = join(REPO_DIR, "packages", "cli");
  const file = join(dir, "package.json");
  if (!existsSync(file)) return { missing: "packages/cli has no package.json" };
  const pkg = JSON.parse(readFileSync(file, "utf8"));
  const bin = typeof pkg.bin === "string" ? pkg.bin : pkg.bin && Object.values(pkg.bin)[0];
  if (!bin) return { missing: "packages/cli declares no bin yet" };
  const path = join(dir, bin);
  if (!existsSync(path))
    return { missing: `${bin} is not built (pnpm --filter ${pkg.name} build)` };
  return { path };
}

/** One id per line, `user-1` … `user-N`, written in blocks so memory stays small. */
export async function writeIdFile(path, count) {
  const out = createWriteStream(path);
  const block = 100_000;
  for (let from = 1; from <= count; from += block) {
    const lines = [];
    for (let i = from; i < Math.min(from + block, count + 1); i++) lines.push(`user-${i}\n`);
    if (!out.write(lines.join(""))) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
}

const GNU_TIME = "/usr/bin/time";

/** Runs `node <args>` and measures its peak RSS in kB. */
export async function peakRss(args, { env, timeoutMs, tmpDir }) {
  if (existsSync(GNU_TIME)) {
    const out = join(tmpDir, `time-${process.hrtime.bigint()}.txt`);
    const result = await run(
      GNU_TIME,
      ["-f", "%M %e %U %S", "-o", out, process.execPath, ...args],
      {
        env,
        timeoutMs,
        cwd: tmpDir,
        // A process group of its own: a kill on timeout or Ctrl-C takes the measured node too.
        group: true,
      },
    );
    const line = existsSync(out) ? readFileSync(out, "utf8").trim().split("\n").pop() : "";
    const [maxRssKb, elapsedS, userS, sysS] = line.split(" ").map(Number);
    return {
      ...result,
      method: "GNU time %M (ru_maxrss)",
      peakRssKb: maxRssKb,
      cpuMs: (userS + sysS) * 1000,
      wallMs: elapsedS * 1000,
    };
  }
  let hwm = 0;
  let timer;
  const result = await run(process.execPath, args, {
    env,
    timeoutMs,
    cwd: tmpDir,
    onSpawn: (child) => {
      timer = setInterval(() => {
        try {
          const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
          hwm = Math.max(hwm, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
        } catch {}
      }, 20);
    },
  });
  clearInterval(timer);
  return { ...result, method: "VmHWM polled every 20 ms", peakRssKb: hwm };
}

/**
 * Runs the CLI (or, with `library`, stream-child.mjs: readIds + deleteUsers without the CLI)
 * over the file of `count` ids against the served emulator; `nodeArgs` go to node first.
 */
export async function measureDelete({
  cli,
  library,
  nodeArgs = [],
  count,
  file,
  emulator,
  tmpDir,
  timeoutMs,
}) {
  const env = {
    ...process.env,
    BATCH_API_KEY: API_KEY,
    BATCH_REST_API_KEY: REST_API_KEY,
    BATCH_BASE_URL: emulator.baseUrl,
    NO_COLOR: "1",
    CI: "1",
  };
  await emulator.call("begin");
  const args = library
    ? [
        join(BENCH_DIR, "src", "stream-child.mjs"),
        JSON.stringify({
          file,
          baseUrl: emulator.baseUrl,
          apiKey: API_KEY,
          restApiKey: REST_API_KEY,
        }),
      ]
    : [cli.path, "delete", "--file", file, "--yes"];
  const result = await peakRss([...nodeArgs, ...args], { env, timeoutMs, tmpDir });
  const server = await emulator.call("end");
  const ok = result.code === 0 && server.idsAccepted === count;
  return {
    ids: count,
    peakRssKb: result.peakRssKb,
    wallMs: result.wallMs,
    cpuMs: result.cpuMs,
    method: result.method,
    exitCode: result.code,
    idsAccepted: server.idsAccepted,
    ok,
    ...(ok ? {} : { stderr: result.stderr.slice(-2000), stdout: result.stdout.slice(-1000) }),
  };
}
