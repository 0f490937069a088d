// The conformance suite: written once, run unchanged in Node, Deno, workerd and Chromium.
// It imports neither the core nor the emulator: each runtime's driver loads them the way a
// user of that runtime would and hands them over in `ctx`:
//   { core, env, ids, createEmulator, baseUrl, runtime }
// where `baseUrl` is the emulator served over HTTP on 127.0.0.1 for the network cases.
// A case is `{ name, fn(ctx) }`; it passes when `fn` resolves.
import { deleteCases } from "./cases-deletes.js";
import { emulatorCases } from "./cases-emulator.js";
import { errorCases } from "./cases-errors.js";
import { guardCases } from "./cases-guard.js";
import { networkCases } from "./cases-network.js";
import { portableCases } from "./cases-portable.js";
import { resilienceCases } from "./cases-resilience.js";
import { safetyCases } from "./cases-safety.js";

export const cases = [
  ...deleteCases,
  ...errorCases,
  ...resilienceCases,
  ...safetyCases,
  ...guardCases,
  ...portableCases,
  ...emulatorCases,
  ...networkCases,
];
