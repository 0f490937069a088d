import { MAX_IDS_PER_CALL } from "@batch-custom-data/core";

/**
 * One Queue message of a job: `seq` is its position in the job (0, 1, 2, ...), so a delivery
 * is accounted for once whatever how often it arrives. Sent as text (`contentType: "text"`),
 * so its size is exactly the UTF-8 length of this JSON, which the producer measured.
 */
export interface JobMessage {
  readonly job: string;
  readonly seq: number;
  readonly ids: readonly string[];
}

const ASCII = /^[\0-\x7f]*$/;

/** UTF-8 length of a string, as `TextEncoder` would count it (a lone surrogate as U+FFFD). */
export function utf8Length(text: string): number {
  // Most ids are ASCII (and so is a control character once JSON escapes it): one native check.
  if (ASCII.test(text)) return text.length;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/** A message's text: what `JSON.stringify({ job, seq, ids })` gives, built in one native call. */
export function messageText(job: string, seq: number, ids: readonly string[]): string {
  return `${messagePrefix(job, seq)}${JSON.stringify(ids)}}`;
}

/** The message's text before its array of ids. */
export function messagePrefix(job: string, seq: number): string {
  return `{"job":${JSON.stringify(job)},"seq":${seq},"ids":`;
}

/** Ids that JSON leaves as they are (no quote, backslash, control character) and ASCII. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** Bytes an id takes in a message's JSON, quotes included. */
export function jsonBytes(id: string): number {
  return PLAIN.test(id) ? id.length + 2 : utf8Length(JSON.stringify(id));
}

const JOB_ID = /^[\w-]{1,64}$/;

/** Whether `job` can name a job (it names the job's Durable Object and shows in URLs). */
export function isJobId(job: unknown): job is string {
  return typeof job === "string" && JOB_ID.test(job);
}

/**
 * A delivered message's body as a job message, or `undefined` if it is not one (a message
 * someone else put on the queue). Takes the text we send, or the object a JSON or V8 message
 * would be.
 */
export function parseJobMessage(body: unknown): JobMessage | undefined {
  let value = body;
  if (typeof body === "string") {
    try {
      value = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  const { job, seq, ids } = Object(value);
  const ok =
    isJobId(job) &&
    Number.isSafeInteger(seq) &&
    seq >= 0 &&
    Array.isArray(ids) &&
    ids.length > 0 &&
    ids.length <= MAX_IDS_PER_CALL &&
    ids.every((id) => typeof id === "string" && id !== "");
  return ok ? { job, seq, ids } : undefined;
}
