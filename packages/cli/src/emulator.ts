/**
 * `batch-custom-data emulator`: serves @batch-custom-data/emulator on 127.0.0.1. Keys given
 * on the command line are never printed; keys it makes up (when none are given) are, with the
 * base URL and a ready curl line, since telling them is the point.
 */
import { randomBytes } from "node:crypto";
import type { FaultConfig, FaultKind } from "@batch-custom-data/emulator";
import { EXIT, type Printer } from "./output.js";
import { UsageError } from "./usage.js";

export interface EmulatorFlags {
  port: number;
  apiKey: string[];
  restApiKey?: string;
  processingDelay?: number;
  faultRate?: number;
  faults?: string;
  seed?: number;
  users?: number;
  latency?: number;
  cors?: string[] | true;
  rateLimit?: number;
  rateBurst?: number;
}

/** `--cors`: comma-separated origins, `*` for any. Checked as origins by the emulator itself. */
export function parseCors(value: string): string[] | true {
  const origins = value
    .split(",")
    .map((origin) => origin.trim())
    .filter((origin) => origin !== "");
  if (origins.length === 0) {
    throw new UsageError(
      "--cors needs at least one origin, e.g. --cors http://127.0.0.1:5173 (or * for any).",
    );
  }
  return origins.includes("*") ? true : origins;
}

/** `--faults` names: HTTP statuses as Batch (or a proxy) answers them, or network faults. */
export const FAULT_NAMES: Readonly<Record<string, FaultKind>> = {
  "500": "serverError",
  "503": "maintenance",
  "429": "tooManyRequests",
  "502": "badGateway",
  reset: "reset",
  hang: "hang",
};

export function parseFaults(rate: number | undefined, list: string | undefined): FaultConfig {
  if (rate === undefined) {
    if (list !== undefined) throw new UsageError("--faults needs --fault-rate R (0 to 1).");
    return {};
  }
  const names = (list ?? "500,503,429").split(",").map((name) => name.trim().toLowerCase());
  const kinds = names.map((name) => {
    const kind = FAULT_NAMES[name];
    if (!kind) {
      throw new UsageError(
        `--faults: unknown fault "${name}" (known: ${Object.keys(FAULT_NAMES).join(", ")}).`,
      );
    }
    return kind;
  });
  const unique = [...new Set(kinds)];
  // The rate is shared evenly between the kinds listed.
  return Object.fromEntries(unique.map((kind) => [kind, rate / unique.length]));
}

const demoKey = (prefix: string) => `${prefix}_${randomBytes(12).toString("hex")}`;

export async function runEmulator(
  flags: EmulatorFlags,
  print: Printer,
  proc: Pick<NodeJS.Process, "once" | "off">,
): Promise<number> {
  const faults = parseFaults(flags.faultRate, flags.faults);
  if (flags.rateBurst !== undefined && flags.rateLimit === undefined) {
    throw new UsageError("--rate-burst needs --rate-limit CALLS_PER_SECOND.");
  }
  const rateLimit =
    flags.rateLimit === undefined
      ? undefined
      : {
          callsPerSecond: flags.rateLimit,
          ...(flags.rateBurst === undefined ? {} : { burst: flags.rateBurst }),
        };
  const generatedApp = flags.apiKey.length === 0;
  const generatedRest = flags.restApiKey === undefined;
  const apps = generatedApp ? [demoKey("demo_app")] : [...new Set(flags.apiKey)];
  const restApiKey = flags.restApiKey ?? demoKey("demo_rest");
  if (apps.includes(restApiKey)) {
    throw new UsageError("--rest-api-key must differ from every --api-key.");
  }

  const { createEmulator } = await import("@batch-custom-data/emulator");
  const { serve } = await import("@batch-custom-data/emulator/node");
  let emulator: ReturnType<typeof createEmulator>;
  try {
    emulator = createEmulator({
      apps,
      restApiKey,
      processingDelayMs: flags.processingDelay,
      faults: { ...faults, ...(flags.latency ? { latencyMs: flags.latency } : {}) },
      seed: flags.seed,
      ...(flags.cors === undefined ? {} : { cors: flags.cors }),
      ...(rateLimit === undefined ? {} : { rateLimit }),
    });
  } catch (error) {
    // Name the flag, not the option behind it.
    throw new UsageError((error as Error).message.replace(/^cors:/, "--cors:"));
  }
  if (flags.users) for (const app of apps) emulator.seed(app, flags.users);

  let served: Awaited<ReturnType<typeof serve>>;
  try {
    served = await serve(emulator, { port: flags.port, hostname: "127.0.0.1" });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === "EADDRINUSE"
        ? `Port ${flags.port} is in use: pick another with --port (0 picks a free one).`
        : `Cannot listen on 127.0.0.1:${flags.port} (${code ?? (error as Error).message}).`,
    );
  }

  const appShown = generatedApp ? apps[0]! : "$BATCH_API_KEY";
  const restShown = generatedRest ? restApiKey : "$BATCH_REST_API_KEY";
  const lines = [
    `Batch Custom Data emulator listening on ${served.url}`,
    `  base URL:      ${served.baseUrl}`,
    generatedApp
      ? `  API key:       ${apps[0]} (made up for this run)`
      : `  API keys:      ${apps.length} given (not shown)`,
    generatedRest
      ? `  REST API key:  ${restApiKey} (made up for this run)`
      : "  REST API key:  given (not shown)",
  ];
  if (flags.users) lines.push(`  users:         user-1 … user-${flags.users} in each app`);
  if (flags.cors !== undefined) {
    lines.push(
      `  CORS:          ${flags.cors === true ? "any origin (*)" : flags.cors.join(", ")}`,
    );
  }
  if (rateLimit !== undefined) {
    const burst = rateLimit.burst ?? Math.max(1, Math.ceil(rateLimit.callsPerSecond));
    lines.push(
      `  rate limit:    ${rateLimit.callsPerSecond} calls/s (burst ${burst}), then 429 with Retry-After`,
    );
  }
  if (flags.faultRate !== undefined) {
    lines.push(
      `  faults:        ${JSON.stringify(faults)}${flags.seed !== undefined ? `, seed ${flags.seed}` : ""}`,
    );
  }
  lines.push(
    "",
    "Point the CLI at it:",
    `  export BATCH_BASE_URL=${served.baseUrl}${generatedApp ? ` BATCH_API_KEY=${appShown}` : ""}${generatedRest ? ` BATCH_REST_API_KEY=${restShown}` : ""}`,
    "Delete one user's data (the documented curl example):",
    `  curl -H "Content-Type: application/json" -H "X-Authorization: ${restShown}" -X DELETE "${served.baseUrl}/${appShown}/data/users/user1"`,
    "",
    "Ctrl-C stops it.",
  );
  // Keys given on the command line are in the printer's redactor; made-up ones are printed on purpose.
  print.out(`${lines.join("\n")}\n`);

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    const onInt = () => resolve("SIGINT");
    const onTerm = () => resolve("SIGTERM");
    proc.once("SIGINT", onInt);
    proc.once("SIGTERM", onTerm);
  });
  print.err(`${signal}: stopping the emulator.\n`);
  await served.close();
  emulator.close();
  return EXIT.ok;
}
