import { BatchValidationError, idProblem, MAX_IDS_PER_CALL } from "@batch-custom-data/core";
import {
  DEFAULT_BATCH_BYTES,
  DEFAULT_IDS_PER_MESSAGE,
  DEFAULT_MESSAGE_BYTES,
  QUEUE_LIMITS,
} from "./limits.js";
import { isJobId, jsonBytes, messagePrefix, messageText, utf8Length } from "./message.js";

/** Ids one by one or in batches (what `readIds` yields), in memory or streamed. */
export type IdInput =
  | Iterable<string | readonly string[]>
  | AsyncIterable<string | readonly string[]>;

export interface PackOptions {
  /** The job the messages belong to. */
  job: string;
  /** Largest message body in bytes (UTF-8 of its JSON). Default 124,000. */
  maxMessageBytes?: number;
  /** Most ids in one message (one bulk call per app each). Default 10,000. */
  maxIdsPerMessage?: number;
  /** Stop reading. */
  signal?: AbortSignal;
}

/** A message ready to send: `body` is its exact text, `bytes` its exact UTF-8 length. */
export interface PackedMessage {
  readonly seq: number;
  readonly body: string;
  readonly bytes: number;
  /** How many ids it holds. */
  readonly ids: number;
}

function checkRange(value: number, name: string, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new BatchValidationError(`${name} must be an integer from ${min} to ${max}.`);
  }
  return value;
}

/**
 * Splits ids into Queue messages, in order, each within `maxMessageBytes` by its serialised
 * length (an id that JSON escapes to 6 bytes a character counts 6), and `maxIdsPerMessage`.
 * Every id is checked as it is read (the core's rules); the first bad one throws a
 * `BatchValidationError` naming its position (1-based), never its value. Lazy: memory holds
 * one message being filled, whatever the input's length.
 */
export async function* packMessages(
  input: IdInput,
  options: PackOptions,
): AsyncGenerator<PackedMessage, { ids: number; messages: number }> {
  const { job, signal } = options;
  if (!isJobId(job)) {
    throw new BatchValidationError(
      "job must be 1 to 64 letters, digits, '-' or '_' (it names a Durable Object).",
    );
  }
  const maxBytes = checkRange(
    options.maxMessageBytes ?? DEFAULT_MESSAGE_BYTES,
    "maxMessageBytes",
    1_024,
    QUEUE_LIMITS.messageBytes - QUEUE_LIMITS.metadataBytes,
  );
  const maxIds = checkRange(
    options.maxIdsPerMessage ?? DEFAULT_IDS_PER_MESSAGE,
    "maxIdsPerMessage",
    1,
    MAX_IDS_PER_CALL,
  );

  let seq = 0;
  let position = 0;
  let parts: string[] = [];
  // The message's size as it fills: prefix, "[", "]", "}", then each id and its comma.
  const empty = () => utf8Length(messagePrefix(job, seq)) + 3;
  let bytes = empty();

  const seal = (): PackedMessage => {
    const message = { seq, body: messageText(job, seq, parts), bytes, ids: parts.length };
    seq++;
    parts = [];
    bytes = empty();
    return message;
  };

  const tooBig = (size: number) =>
    new BatchValidationError(
      `The user id number ${position} takes ${size} bytes as JSON: more than a message of maxMessageBytes (${maxBytes}) holds.`,
    );

  const add = (id: string): PackedMessage | undefined => {
    position++;
    const problem = idProblem(id);
    if (problem !== undefined) {
      throw new BatchValidationError(`The user id number ${position} ${problem}.`);
    }
    const size = jsonBytes(id);
    let full: PackedMessage | undefined;
    if (parts.length > 0 && (parts.length === maxIds || bytes + 1 + size > maxBytes)) {
      full = seal();
    }
    // An id of 1,023 characters that JSON escapes to 6 bytes each is 6,140 bytes: it always
    // fits an empty message of the default size. This is for a `maxMessageBytes` set very low.
    if (parts.length === 0 && bytes + size > maxBytes) throw tooBig(size);
    bytes += (parts.length > 0 ? 1 : 0) + size;
    parts.push(id);
    return full;
  };

  // Messages filled by the last item read: a batch of ids may fill several.
  const ready: PackedMessage[] = [];
  const take = (item: string | readonly string[]) => {
    if (typeof item === "string" || !Array.isArray(item)) {
      const full = add(item as string);
      if (full) ready.push(full);
      return;
    }
    for (let i = 0; i < item.length; i++) {
      const full = add(item[i]!);
      if (full) ready.push(full);
    }
  };
  if (Symbol.asyncIterator in input) {
    for await (const item of input) {
      if (signal?.aborted) throw signal.reason;
      take(item);
      while (ready.length > 0) yield ready.shift()!;
    }
  } else {
    // Arrays and other sync iterables: no await per id.
    for (const item of input) {
      if (signal?.aborted) throw signal.reason;
      take(item);
      while (ready.length > 0) yield ready.shift()!;
    }
  }
  if (parts.length > 0) yield seal();
  return { ids: position, messages: seq };
}

export interface GroupOptions {
  /** Largest `sendBatch` in bytes, each message counted with its metadata. Default 250,000. */
  maxBatchBytes?: number;
  /** Most messages in one `sendBatch`. Default (and limit) 100. */
  maxBatchMessages?: number;
}

/**
 * Groups messages, in order, into `sendBatch` calls within Cloudflare's limits: at most 100
 * messages and `maxBatchBytes` (each message's body plus its ~100 bytes of metadata).
 */
export function groupForSend<T extends { readonly bytes: number }>(
  messages: readonly T[],
  options: GroupOptions = {},
): T[][] {
  const maxBytes = checkRange(
    options.maxBatchBytes ?? DEFAULT_BATCH_BYTES,
    "maxBatchBytes",
    QUEUE_LIMITS.messageBytes,
    QUEUE_LIMITS.batchBytes,
  );
  const maxCount = checkRange(
    options.maxBatchMessages ?? QUEUE_LIMITS.batchMessages,
    "maxBatchMessages",
    1,
    QUEUE_LIMITS.batchMessages,
  );
  const groups: T[][] = [];
  let group: T[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = message.bytes + QUEUE_LIMITS.metadataBytes;
    if (group.length === maxCount || (group.length > 0 && bytes + size > maxBytes)) {
      groups.push(group);
      group = [];
      bytes = 0;
    }
    group.push(message);
    bytes += size;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}
