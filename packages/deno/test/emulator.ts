/**
 * The emulator (a fetch handler) served with Deno.serve on 127.0.0.1 for the duration of a
 * test: `await using served = serveEmulator()`. The app key holds characters that
 * percent-encoding changes, so a leak of its URL form would show too.
 */
import { createEmulator, type EmulatorOptions } from "@batch-custom-data/emulator";

export const API_KEY = "app-key:SECRET1@x";
export const REST_KEY = "rest-key-SECRET2";

export function serveEmulator(options: EmulatorOptions = {}) {
  const emulator = createEmulator({ apps: [API_KEY], restApiKey: REST_KEY, ...options });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) =>
    emulator.fetch(request),
  );
  const baseUrl = `http://127.0.0.1:${server.addr.port}/1.0`;
  return {
    emulator,
    baseUrl,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
      emulator.close();
    },
  };
}
