/** Shared by the tests: building requests to an emulator and reading its answers. */
import { expect } from "vitest";
import { createEmulator, type Emulator, type EmulatorOptions } from "../src/emulator.js";

// The emulator's own default keys (createEmulator without `apps` or `restApiKey`): these tests
// speak to it as configured out of the box, in the documented paths `/1.0/API_KEY/...`. The
// workspace's test keys (@batch-custom-data/test-helpers) are for clients under test.
export const API_KEY = "API_KEY";
export const REST_API_KEY = "REST_API_KEY";
export const AUTH = { "x-authorization": REST_API_KEY, "content-type": "application/json" };

const emulators: Emulator[] = [];

/** An emulator closed by `closeAll` (call it in afterEach). */
export function emulator(options: EmulatorOptions = {}): Emulator {
  const e = createEmulator({ seed: 1, processingDelayMs: 5, ...options });
  emulators.push(e);
  return e;
}

export function closeAll(): void {
  for (const e of emulators.splice(0)) e.close();
}

export function del(e: Emulator, path: string, init: RequestInit = {}) {
  return e.fetch(`http://emulator.test${path}`, {
    method: "DELETE",
    ...init,
    headers: { ...AUTH, ...(init.headers as Record<string, string> | undefined) },
  });
}

export async function answer(response: Response) {
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: response.status, body, headers: response.headers };
}

export function errorOf(code: number) {
  return { error_code: code, error_message: expect.stringMatching(/\w+ \w+/) };
}
