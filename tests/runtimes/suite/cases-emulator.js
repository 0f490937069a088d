// The emulator's handler under hostile input, in each runtime (so it holds under Deno.serve
// and in a Worker, not only behind the Node server): a request refused on its headers never
// has its body read, and a bulk body is refused after a bounded prefix of it.

import { API_KEY, REST_KEY } from "@batch-custom-data/test-helpers";
import { equal, ok } from "./assert.js";
import { withEmulator } from "./helpers.js";

/** A request body that counts the bytes pulled from it; endless after `first` unless `end`. */
function countedBody(first, repeated, end = false) {
  const encoder = new TextEncoder();
  const state = { bytes: 0, cancelled: false };
  const chunk = encoder.encode(repeated);
  let started = false;
  state.stream = new ReadableStream(
    {
      pull(controller) {
        if (!started) {
          started = true;
          state.bytes += first.length;
          controller.enqueue(encoder.encode(first));
          if (end) controller.close();
          return;
        }
        if (state.bytes > 64 * 1024 * 1024) throw new Error("read far past any bound");
        state.bytes += chunk.byteLength;
        controller.enqueue(chunk);
      },
      cancel() {
        state.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return state;
}

const bulk = (body, headers) =>
  new Request(`https://api.batch.com/1.0/${encodeURIComponent(API_KEY)}/data/users`, {
    method: "DELETE",
    headers,
    body: body.stream,
    duplex: "half",
  });

export const emulatorCases = [
  {
    name: "emulator: a request refused on its headers (401) has no byte of its body read",
    fn: (ctx) =>
      withEmulator(ctx, {}, async (emulator) => {
        for (const headers of [{ "x-authorization": "WRONG" }, {}]) {
          const body = countedBody('["user-1"]', "", true);
          const answer = await emulator.fetch(bulk(body, headers));
          equal(answer.status, 401, "status");
          equal(body.bytes, 0, "bytes read");
        }
      }),
  },
  {
    name: "emulator: 64 MiB of [ is refused after a bounded prefix (400/31)",
    fn: (ctx) =>
      withEmulator(ctx, {}, async (emulator) => {
        const body = countedBody("[", "[".repeat(64 * 1024));
        const answer = await emulator.fetch(bulk(body, { "x-authorization": REST_KEY }));
        equal(answer.status, 400, "status");
        equal((await answer.json()).error_code, 31, "error_code");
        ok(body.bytes <= 2 * 64 * 1024 + 1, `read ${body.bytes} bytes`);
        ok(body.cancelled, "the body stream was cancelled");
      }),
  },
];
