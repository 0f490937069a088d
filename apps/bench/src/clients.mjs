// Runs one measured client in a child process: a Node client (sdk-child.mjs, raw-child.mjs,
// naive-child.mjs), whose result line carries its own process.cpuUsage() of the timed part, or
// a curl shell script, whose CPU is its whole process tree (sh, xargs and every curl).
import { join } from "node:path";
import { countTokens } from "./curl.mjs";
import { API_KEY, BENCH_DIR, childrenCpuMs, lastJson, REST_API_KEY, run } from "./util.mjs";

/** Runs `node src/<script> <config JSON>` and returns its measurements. */
export async function nodeClient(script, config, { timeoutMs, env } = {}) {
  const full = { apiKey: API_KEY, restApiKey: REST_API_KEY, ...config };
  const cpu0 = childrenCpuMs();
  const result = await run(
    process.execPath,
    [join(BENCH_DIR, "src", script), JSON.stringify(full)],
    {
      timeoutMs,
      env,
    },
  );
  const cpu1 = childrenCpuMs();
  if (result.code !== 0) {
    throw new Error(
      `${script} failed (${result.code ?? result.signal}${result.timedOut ? ", timed out" : ""}): ${result.stderr.slice(-2000)}`,
    );
  }
  const r = lastJson(result.stdout);
  return {
    wallMs: r.wallMs,
    cpuMs: r.cpuUserMs + r.cpuSysMs,
    cpuUserMs: r.cpuUserMs,
    cpuSysMs: r.cpuSysMs,
    ids: r.ids,
    calls: r.calls,
    peakRssKb: r.peakRssKb,
    // Whole process, start-up and id generation included (10 ms resolution).
    processCpuMs: cpu1.user + cpu1.system - cpu0.user - cpu0.system,
    processWallMs: result.wallMs,
  };
}

/**
 * Runs a curl shell script (curl.mjs) over the payload files in `payloadDir` against `url`.
 * Wall time is the whole script's; CPU the whole process tree's.
 */
export async function curlScript(
  script,
  { payloadDir, url, concurrency, cacert, idsPerCall, ids, timeoutMs },
) {
  const env = {
    PATH: process.env.PATH,
    PAYLOAD_DIR: payloadDir,
    URL: url,
    REST_API_KEY,
    CONCURRENCY: String(concurrency),
    ...(cacert ? { CACERT: cacert } : {}),
  };
  const cpu0 = childrenCpuMs();
  const result = await run("sh", ["-c", script], { env, group: true, timeoutMs });
  const cpu1 = childrenCpuMs();
  if (result.code !== 0) {
    throw new Error(
      `curl script failed (${result.code ?? result.signal}${result.timedOut ? ", timed out" : ""}): ${result.stderr.slice(-2000)}`,
    );
  }
  const calls = countTokens(result.stdout);
  return {
    wallMs: result.wallMs,
    cpuMs: cpu1.user + cpu1.system - cpu0.user - cpu0.system,
    cpuUserMs: cpu1.user - cpu0.user,
    cpuSysMs: cpu1.system - cpu0.system,
    calls,
    ids: Math.min(calls * idsPerCall, ids),
  };
}
