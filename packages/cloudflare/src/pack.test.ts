import { BatchValidationError } from "@batch-custom-data/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_MESSAGE_BYTES, QUEUE_LIMITS } from "./limits.js";
import { jsonBytes, parseJobMessage, utf8Length } from "./message.js";
import { groupForSend, type PackedMessage, packMessages } from "./pack.js";

const encoder = new TextEncoder();
const bytesOf = (text: string) => encoder.encode(text).length;

async function pack(
  ids: Iterable<string | string[]> | AsyncIterable<string | string[]>,
  options = {},
) {
  const messages: PackedMessage[] = [];
  for await (const message of packMessages(ids, { job: "job-1", ...options }))
    messages.push(message);
  return messages;
}

/** Characters of every UTF-8 width, and those JSON escapes to 2 or 6 bytes. */
const char = fc.oneof(
  fc.constantFrom("a", "Z", "0", "-", " ", "/", "%", "."),
  fc.constantFrom('"', "\\", "\n", "\t"), // 2 bytes escaped
  fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)), // 6 bytes: \u00XX
  fc.constantFrom("\u007f", "é", "ß", "\u07ff"), // 1-2 bytes
  fc.constantFrom("€", "日", "\u2028", "\uffff"), // 3 bytes
  fc.constantFrom("😀", "𝄞", "\u{10ffff}"), // 4 bytes (surrogate pairs)
);
const id = fc
  .array(char, { minLength: 1, maxLength: 40 })
  .map((chars) => chars.join(""))
  .filter((s) => s.length <= 1023);
const longId = fc
  .tuple(char, fc.integer({ min: 200, max: 1000 }))
  .map(([c, n]) => c.repeat(Math.min(n, Math.floor(1023 / c.length))));

function checkMessages(messages: PackedMessage[], ids: string[], maxBytes: number, maxIds: number) {
  const out: string[] = [];
  messages.forEach((message, i) => {
    expect(message.seq).toBe(i);
    expect(bytesOf(message.body)).toBe(message.bytes);
    expect(message.bytes).toBeLessThanOrEqual(maxBytes);
    expect(message.bytes + QUEUE_LIMITS.metadataBytes).toBeLessThanOrEqual(
      QUEUE_LIMITS.messageBytes,
    );
    const parsed = parseJobMessage(message.body);
    expect(parsed).toEqual({ job: "job-1", seq: i, ids: expect.any(Array) });
    expect(parsed!.ids.length).toBe(message.ids);
    expect(message.ids).toBeLessThanOrEqual(maxIds);
    // Greedy: a message is closed only when the next id would not fit.
    const next = messages[i + 1];
    if (next) {
      const first = parseJobMessage(next.body)!.ids[0]!;
      const grown = message.bytes + 1 + bytesOf(JSON.stringify(first));
      expect(message.ids === maxIds || grown > maxBytes).toBe(true);
    }
    out.push(...parsed!.ids);
  });
  expect(out).toEqual(ids);
}

describe("utf8Length", () => {
  it("counts what TextEncoder encodes, lone surrogates included", () => {
    const unit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
    fc.assert(
      fc.property(fc.array(fc.oneof(unit, char)), (units) => {
        const text = units.join("");
        expect(utf8Length(text)).toBe(bytesOf(text));
      }),
      { numRuns: 500 },
    );
  });
});

describe("jsonBytes", () => {
  it("counts what an id takes as JSON in UTF-8, quotes and escapes included", () => {
    const unit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
    fc.assert(
      fc.property(fc.array(fc.oneof(unit, char)), (units) => {
        const text = units.join("");
        expect(jsonBytes(text)).toBe(bytesOf(JSON.stringify(text)));
      }),
      { numRuns: 500 },
    );
  });
});

describe("packMessages", () => {
  it("splits any ids into messages within the byte and id limits, in order, none lost", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(id, longId), { minLength: 0, maxLength: 400 }),
        fc.integer({ min: 8_000, max: QUEUE_LIMITS.messageBytes - QUEUE_LIMITS.metadataBytes }),
        fc.integer({ min: 1, max: 10_000 }),
        async (ids, maxMessageBytes, maxIdsPerMessage) => {
          const messages = await pack(ids, { maxMessageBytes, maxIdsPerMessage });
          checkMessages(messages, ids, maxMessageBytes, maxIdsPerMessage);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("groups messages into sendBatch calls within 100 messages and 256,000 bytes", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(id, longId), { minLength: 1, maxLength: 600 }),
        fc.integer({ min: 8_000, max: DEFAULT_MESSAGE_BYTES }),
        fc.integer({ min: 1, max: 50 }),
        async (ids, maxMessageBytes, maxIdsPerMessage) => {
          const messages = await pack(ids, { maxMessageBytes, maxIdsPerMessage });
          const groups = groupForSend(messages);
          for (const group of groups) {
            expect(group.length).toBeGreaterThan(0);
            expect(group.length).toBeLessThanOrEqual(QUEUE_LIMITS.batchMessages);
            const total = group.reduce(
              (sum, m) => sum + bytesOf(m.body) + QUEUE_LIMITS.metadataBytes,
              0,
            );
            expect(total).toBeLessThanOrEqual(250_000);
          }
          expect(groups.flat()).toEqual(messages);
        },
      ),
      { numRuns: 100 },
    );
  });

  it("does not fit 10,000 ids of 1,000 characters in one message", async () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => `${i}`.padStart(1_000, "x"));
    const messages = await pack(ids);
    checkMessages(messages, ids, DEFAULT_MESSAGE_BYTES, 10_000);
    // 1,002 bytes of JSON and a comma per id: 123 ids in a message of 124,000 bytes, 82 messages.
    expect(messages.length).toBe(82);
    for (const group of groupForSend(messages)) {
      expect(group.reduce((sum, m) => sum + m.bytes + 100, 0)).toBeLessThanOrEqual(256_000);
    }
  });

  it("sizes ids full of characters that JSON escapes to 6 bytes by their escaped length", async () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => `\u0001${i}`.padEnd(1_000, "\u001f"));
    const messages = await pack(ids);
    checkMessages(messages, ids, DEFAULT_MESSAGE_BYTES, 10_000);
    // 1,000 characters × 6 bytes: about 20 ids a message, where counting characters would put 123.
    expect(Math.max(...messages.map((m) => m.ids))).toBeLessThanOrEqual(21);
  });

  it("fills messages up to 10,000 short ids (one bulk call each)", async () => {
    const ids = Array.from({ length: 25_000 }, (_, i) => `u${i}`);
    const messages = await pack(ids);
    expect(messages.map((m) => m.ids)).toEqual([10_000, 10_000, 5_000]);
  });

  it("reads batches and single ids, sync or async, alike", async () => {
    const ids = Array.from({ length: 2_500 }, (_, i) => `user-${i}`);
    async function* batches() {
      for (let i = 0; i < ids.length; i += 700) yield ids.slice(i, i + 700);
    }
    const fromArray = await pack(ids, { maxIdsPerMessage: 1_000 });
    const fromBatches = await pack(batches(), { maxIdsPerMessage: 1_000 });
    expect(fromBatches).toEqual(fromArray);
    expect(fromArray.map((m) => m.ids)).toEqual([1_000, 1_000, 500]);
  });

  it("returns the totals", async () => {
    const generator = packMessages(["a", "b", "c"], { job: "j", maxIdsPerMessage: 2 });
    let result = await generator.next();
    while (!result.done) result = await generator.next();
    expect(result.value).toEqual({ ids: 3, messages: 2 });
  });

  it("names a bad id by its position, never by its value", async () => {
    const secretish = "x".repeat(1_024);
    const error = await pack(["a", "b", secretish]).catch((e) => e);
    expect(error).toBeInstanceOf(BatchValidationError);
    expect(error.message).toMatch(/number 3 is 1024 characters long/);
    expect(error.message).not.toContain(secretish);
    await expect(pack(["a", ""])).rejects.toThrow(/number 2 is empty/);
    await expect(pack(["a", "\ud800"])).rejects.toThrow(/number 2 holds an unpaired/);
    await expect(pack([42 as unknown as string])).rejects.toThrow(/number 1 is number/);
  });

  it("refuses an id that a very small message cannot hold, and bad options", async () => {
    await expect(pack(["é".repeat(1_000)], { maxMessageBytes: 1_024 })).rejects.toThrow(
      /number 1 takes 2002 bytes/,
    );
    await expect(pack(["a"], { maxMessageBytes: 128_000 })).rejects.toThrow(/maxMessageBytes/);
    await expect(pack(["a"], { maxIdsPerMessage: 10_001 })).rejects.toThrow(/maxIdsPerMessage/);
    await expect(pack(["a"], { job: "../etc" })).rejects.toThrow(/job must be/);
    expect(() => groupForSend([], { maxBatchMessages: 101 })).toThrow(/maxBatchMessages/);
    expect(() => groupForSend([], { maxBatchBytes: 300_000 })).toThrow(/maxBatchBytes/);
  });

  it("stops reading when its signal aborts", async () => {
    const controller = new AbortController();
    const reason = new Error("stop");
    async function* ids() {
      yield "a";
      controller.abort(reason);
      yield "b";
    }
    await expect(pack(ids(), { signal: controller.signal })).rejects.toBe(reason);
  });
});
