import { BatchValidationError } from "@batch-custom-data/core";
import type { BatchJob } from "./job.js";
import { type IdInput, type PackOptions, packMessages } from "./pack.js";
import type { JobStatus, StagedMessage } from "./state.js";

export interface StartJobOptions extends Omit<PackOptions, "job"> {
  /** The job's id (it names its Durable Object). Default: a random UUID. */
  id?: string;
  /**
   * Bytes of messages sent to the job's Durable Object per call while staging. Default 4 MB:
   * a 100 MB upload (the largest Cloudflare's free plan accepts) stages in 25 calls, and the
   * invocation holds one such chunk in memory.
   */
  stageBytes?: number;
}

export type JobNamespace = DurableObjectNamespace<BatchJob>;

/** The Durable Object of job `id`. */
export function jobStub(namespace: JobNamespace, id: string): DurableObjectStub<BatchJob> {
  return namespace.get(namespace.idFromName(id));
}

/**
 * Starts a bulk deletion job: reads the ids (an array, or a stream such as `readIds(request.body)`),
 * checks each, packs them into Queue messages and stages them in the job's Durable Object as
 * they come. Only when the whole input was read and valid is the job sealed; its Durable
 * Object then sends the messages to the Queue. On a bad id, or any error, the job is discarded
 * and the error thrown: nothing was enqueued.
 *
 * Subrequests: 2 + one per `stageBytes` of messages (1,000,000 ids of 36 characters: about
 * 39 MB, 12 calls), whatever the number of ids.
 */
export async function startJob(
  namespace: JobNamespace,
  ids: IdInput,
  options: StartJobOptions = {},
): Promise<JobStatus> {
  const { id = crypto.randomUUID(), stageBytes = 4_000_000, ...pack } = options;
  const stub = jobStub(namespace, id);
  const messages = packMessages(ids, { ...pack, job: id });
  await stub.create(id);
  try {
    let chunk: StagedMessage[] = [];
    let bytes = 0;
    let result = await messages.next();
    while (!result.done) {
      chunk.push(result.value);
      bytes += result.value.bytes;
      if (bytes >= stageBytes) {
        await stub.stage(chunk);
        chunk = [];
        bytes = 0;
      }
      result = await messages.next();
    }
    if (chunk.length > 0) await stub.stage(chunk);
    const { ids: requested, messages: count } = result.value;
    if (requested === 0) {
      throw new BatchValidationError("The input holds no user id: a job needs at least one.");
    }
    return await stub.seal({ requested, messages: count });
  } catch (error) {
    await stub.discard().catch(() => {});
    throw error;
  }
}
