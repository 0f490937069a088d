/** Shared by the unit tests of src/delete: a client on the emulator (no network), inputs. */

import { createEmulator, type EmulatorOptions } from "@batch-custom-data/emulator";
import type { IdSource } from "@batch-custom-data/node";
import { ANDROID_KEY, API_KEY, REST_KEY } from "@batch-custom-data/test-helpers";
import type { Input } from "../src/delete/input.js";
import { configure, type SettingsFlags } from "../src/delete/settings.js";

export const APP = API_KEY;
export const APP2 = ANDROID_KEY;
export const REST = REST_KEY;

/** The emulator as the client's `fetch`, and settings made from the environment as the CLI does. */
export function emulated(options: EmulatorOptions = {}, flags: SettingsFlags = {}, apps = [APP]) {
  const emulator = createEmulator({ apps, restApiKey: REST, processingDelayMs: 0, ...options });
  const settings = configure(
    { baseUrl: "http://emulator.test/1.0", retries: 0, ...flags },
    { BATCH_API_KEY: apps.join(","), BATCH_REST_API_KEY: REST },
    emulator.fetch,
  );
  return { emulator, settings };
}

export const input = (ids: IdSource, total?: number, name = "arguments"): Input => ({
  ids,
  name,
  total,
  close() {},
});

export const range = (n: number, prefix = "u") =>
  Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);

/** Ids in batches, as readIds hands them on. */
export async function* batches(...lists: string[][]) {
  for (const list of lists) yield list;
}
