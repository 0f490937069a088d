/**
 * The main job, end to end on the local emulator: seed 100,000 users with custom data in two
 * apps (iOS and Android), delete them all through @batch-custom-data/node from a file of ids,
 * wait for the emulator to process the deletions, and check that every user's data is gone.
 * Exits 0 only if nothing is left. `DEMO_USERS=N` changes the number of users.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "@batch-custom-data/emulator/node";
import {
  BatchError,
  createClientFromEnv,
  type DeleteUsersReport,
  type Progress,
  readIds,
} from "@batch-custom-data/node";
import cliProgress from "cli-progress";

const USERS = Number(process.env.DEMO_USERS ?? 100_000);
const int = (n: number) => n.toLocaleString("en-US");
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** A bar on a terminal; a plain line every 2 s otherwise (CI logs, pipes). */
function progressView(total: number) {
  const started = Date.now();
  let last: Progress | undefined;
  const done = () => (last ? last.confirmed + last.failed + last.skipped : 0);
  const rate = () => Math.round(done() / Math.max((Date.now() - started) / 1000, 0.001));
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream: process.stderr,
        format:
          "deleting {bar} {percentage}% | {value}/{total} ids | {failed} failed | {rate} ids/s | ETA {eta_formatted}",
        hideCursor: true,
        fps: 15,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { failed: 0, rate: 0 });
    return {
      update(p: Progress) {
        last = p;
        bar.update(done(), { failed: p.failed, rate: int(rate()) });
      },
      stop: () => bar.stop(),
    };
  }
  const line = () =>
    process.stderr.write(
      `progress: ${int(done())}/${int(total)} ids, ${int(last?.failed ?? 0)} failed, ${int(rate())} ids/s\n`,
    );
  const timer = setInterval(line, 2000);
  return {
    update(p: Progress) {
      last = p;
    },
    stop() {
      clearInterval(timer);
      line();
    },
  };
}

async function main(): Promise<number> {
  const t0 = Date.now();
  // Made-up keys for this run only; never printed.
  const apps = {
    iOS: `demo_ios_${randomBytes(12).toString("hex")}`,
    Android: `demo_android_${randomBytes(12).toString("hex")}`,
  };
  const keys = Object.values(apps);
  const restApiKey = `demo_rest_${randomBytes(12).toString("hex")}`;

  const served = await serve(
    { apps: keys, restApiKey, processingDelayMs: 10, transactionLimit: 1_000_000 },
    { port: 0, hostname: "127.0.0.1" },
  );
  const { emulator } = served;
  const dir = mkdtempSync(join(tmpdir(), "batch-custom-data-demo-"));
  try {
    for (const key of keys) emulator.seed(key, USERS);
    const file = join(dir, "ids.txt");
    writeFileSync(file, `${emulator.users(keys[0]!).join("\n")}\n`);
    console.log(
      `Emulator on ${served.baseUrl}: ${int(USERS)} users with custom data in each of ${keys.length} apps (${Object.keys(apps).join(", ")}); deleting them from a file of ids.`,
    );

    // The Node adapter, configured as a deployment would be: from environment variables.
    const client = createClientFromEnv({
      BATCH_API_KEY: keys.join(","),
      BATCH_REST_API_KEY: restApiKey,
      BATCH_BASE_URL: served.baseUrl,
    });

    const progress = progressView(USERS);
    const t1 = Date.now();
    let report: DeleteUsersReport;
    try {
      report = await client.deleteUsers(readIds(file), { onProgress: (p) => progress.update(p) });
    } catch (error) {
      progress.stop();
      const attached = error instanceof BatchError ? error.report : undefined;
      console.error(`Deletion failed: ${(error as Error).message}`);
      if (!attached) return 1;
      report = attached;
    }
    progress.stop();
    const deleteMs = Date.now() - t1;

    // The API processes deletions asynchronously: wait for the emulator to do so, then check.
    const t2 = Date.now();
    await emulator.settled();
    const settleMs = Date.now() - t2;
    const left = keys.map((key) => emulator.count(key));
    let stillThere = 0;
    for (const key of keys) {
      for (let i = 1; i <= USERS; i++) if (emulator.hasData(key, `user-${i}`)) stillThere++;
    }
    const unprocessed = report.tokens.filter(
      (t) => emulator.transaction(t.token)?.status !== "done",
    );

    const ok =
      report.confirmed === USERS &&
      report.failed === 0 &&
      stillThere === 0 &&
      left.every((n) => n === 0) &&
      unprocessed.length === 0;
    console.log(
      [
        "",
        `${ok ? "✔ Every user's custom data is gone" : "✘ Some custom data is left"}.`,
        `  ids:     ${int(report.requested)} read, ${int(report.confirmed)} confirmed in every app, ${int(report.failed)} failed`,
        `  calls:   ${int(report.calls)} bulk DELETE calls (${int(Math.ceil(USERS / 10_000))} chunks × ${keys.length} apps)`,
        `  tokens:  ${int(report.tokens.length)} (one per call; first ${report.tokens[0]?.token ?? "-"})`,
        `  left:    ${Object.keys(apps)
          .map((name, i) => `${name} ${int(left[i]!)}`)
          .join(", ")} users with data; ${int(unprocessed.length)} transactions not processed`,
        `  time:    ${secs(deleteMs)} to delete (${int(Math.round(USERS / (deleteMs / 1000)))} ids/s), ${secs(settleMs)} more until processed, ${secs(Date.now() - t0)} in all`,
      ].join("\n"),
    );
    return ok ? 0 : 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await served.close();
  }
}

process.exitCode = await main();
