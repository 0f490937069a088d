import {
  type ClientOptions,
  createClient,
  type ErrorSummary,
  MAX_IDS_PER_CALL,
} from "@batch-custom-data/core";
import { clientOptionsFromEnv } from "@batch-custom-data/core/env";
import { planInvocation, queueRetryDelay, type RetryDelayOptions } from "./budget.js";
import { type InvocationBudget, invocationBudget } from "./guard.js";
import { FREE_PLAN } from "./limits.js";
import { type JobMessage, parseJobMessage, utf8Length } from "./message.js";
import { groupForSend } from "./pack.js";
import { type JobNamespace, jobStub } from "./producer.js";
import type { MessageResult, RecordAnswer } from "./state.js";

export interface ConsumerOptions {
  /** The jobs' Durable Object namespace binding. Default `BATCH_JOBS`. */
  jobsBinding?: string;
  /** The Queue producer binding, to pass deferred messages back. Default `BATCH_QUEUE`. */
  queueBinding?: string;
  /** Subrequests one invocation may make. Default 50 (free plan); 10,000 on the paid plan. */
  subrequests?: number;
  /** Connections open at once. Default 6. */
  connections?: number;
  /** Retries per call inside the invocation, when the budget has room for them. Default 1. */
  retries?: number;
  /**
   * Deliveries of a message before a retryable failure counts as final. Default 10. Keep it at
   * most the queue's `max_retries` + 1, and give the queue a dead-letter queue consumed by this
   * same handler (`deadLetterQueue`), so that a message the Queue gives up on is still counted.
   */
  maxAttempts?: number;
  /** Delays of retries through the Queue (a `Retry-After` is always honoured). */
  retryDelay?: RetryDelayOptions;
  /** The dead-letter queue's name: its messages are recorded as failed (`DEAD_LETTERED`). */
  deadLetterQueue?: string;
  /** Client options over the environment's (`timeoutMs`, ...). */
  client?: Partial<ClientOptions>;
  /** Where the one line per invocation goes. Default `console.log` of its JSON. */
  log?: (entry: Record<string, unknown>) => void;
}

type Env = Record<string, unknown>;
type Delivery = { readonly message: Message<unknown>; readonly job: JobMessage };
type Outcome = MessageResult & { delaySeconds?: number };
type Call = { app: string; token: string } | { app: string; error: ErrorSummary };

/** Retries inside an invocation are for blips: a longer wait goes through the Queue. */
const IN_INVOCATION_RETRY = { baseDelayMs: 250, maxDelayMs: 1_000, maxElapsedMs: 2_000 };

/** An app's label and key, as the core labels them (object key, array index, or "0"). */
function appsOf(apiKey: ClientOptions["apiKey"]): [label: string, key: string][] {
  if (typeof apiKey === "string") return [["0", apiKey]];
  if (Array.isArray(apiKey)) return apiKey.map((key, i) => [String(i), key]);
  return Object.entries(apiKey);
}

/**
 * The Queue consumer of bulk deletion jobs: `export default { queue: createQueueConsumer() }`.
 * Per invocation it plans how many messages fit the subrequest budget, sends each message's
 * ids to every app (one bulk call each, at most `connections` at once), records the outcomes
 * in each job's Durable Object (one call per job), then acks what is settled and retries the
 * rest through the Queue with a delay that honours `Retry-After`. Messages the budget had no
 * room for go back to the Queue as they are (re-sent, so they do not spend a delivery attempt).
 * Nothing is acked before its outcome is recorded: after a crash the Queue delivers again,
 * and the job counts each message once.
 */
export function createQueueConsumer(options: ConsumerOptions = {}) {
  const {
    jobsBinding = "BATCH_JOBS",
    queueBinding = "BATCH_QUEUE",
    subrequests = FREE_PLAN.subrequests,
    connections = FREE_PLAN.connections,
    retries = 1,
    maxAttempts = 10,
    retryDelay,
    deadLetterQueue,
    log = (entry) => console.log(JSON.stringify(entry)),
  } = options;

  return async function queue(batch: MessageBatch<unknown>, env: Env): Promise<void> {
    const budget = invocationBudget({ subrequests, connections });
    const summary = {
      event: "queue.batch",
      queue: batch.queue,
      messages: batch.messages.length,
      processed: 0,
      deferred: 0,
      malformed: 0,
      confirmed: 0,
      failed: 0,
      retried: 0,
      subrequests: 0,
      peakConnections: 0,
    };
    const deliveries: Delivery[] = [];
    for (const message of batch.messages) {
      const job = parseJobMessage(message.body);
      if (job) deliveries.push({ message, job });
      else {
        // Not a job message: nobody's ids to account for, and it would never succeed.
        summary.malformed++;
        message.ack();
      }
    }
    const jobs = deliveries.map((d) => d.job.job);
    const deadLetters = batch.queue === deadLetterQueue;
    const producer = deadLetters ? undefined : (env[queueBinding] as Queue | undefined);

    let config: ClientOptions | undefined;
    if (!deadLetters) {
      try {
        config = clientOptionsFromEnv(env, options.client);
      } catch (error) {
        // A configuration error (its message names the variable): retry, it may be fixed by then.
        log({ ...summary, event: "queue.config_error", error: String(Object(error).message) });
        for (const { message } of deliveries) {
          message.retry({ delaySeconds: queueRetryDelay(message.attempts, 0, retryDelay) });
        }
        return;
      }
    }
    const apps = config ? appsOf(config.apiKey) : [];
    const plan = planInvocation({
      jobs,
      apps: apps.length,
      subrequests,
      retries,
      deferralCalls: producer ? 1 : 0,
    });
    const now = deliveries.slice(0, plan.process);
    const later = deliveries.slice(plan.process);

    let outcomes: Map<Delivery, Outcome>;
    if (deadLetters) {
      // The Queue gave up on these: each is a final failure, counted once like any other.
      outcomes = new Map(now.map((d) => [d, final(d, [], { name: "DEAD_LETTERED" })]));
    } else {
      const client = (label: string, key: string) =>
        createClient({
          ...config!,
          apiKey: { [label]: key },
          // One bulk call per message and app, whatever BATCH_CHUNK_SIZE says.
          chunkSize: MAX_IDS_PER_CALL,
          concurrency: 1,
          retry: plan.retries === 0 ? false : { retries: plan.retries, ...IN_INVOCATION_RETRY },
          fetch: budget.fetch,
        });
      const call = async (delivery: Delivery, [label, key]: [string, string]): Promise<Call> => {
        try {
          const report = await client(label, key).deleteUsers(delivery.job.ids, {
            throwOnFailure: false,
          });
          const token = report.tokens[0]?.token;
          if (token && report.failures.length === 0) return { app: label, token };
          return { app: label, error: report.failures[0]!.error };
        } catch (thrown) {
          // Refused before sending (an id the core rejects, in a message we did not make):
          // a final failure of this message, not of the whole batch.
          const { name = "Error", retryable = false } = Object(thrown);
          return { app: label, error: { name, message: "", retryable, attempts: 0 } };
        }
      };
      outcomes = new Map(
        await Promise.all(
          now.map(async (d) => {
            const calls = await Promise.all(apps.map((app) => call(d, app)));
            return [d, settle(d, calls)] as const;
          }),
        ),
      );
    }

    await record(env, budget, now, outcomes, summary);
    summary.deferred = later.length;
    await defer(later, budget, producer, log);
    summary.processed = now.length;
    summary.subrequests = budget.used;
    summary.peakConnections = budget.peakConnections;
    log(summary);
  };

  /** One state call per job; then ack. An outcome that was not recorded is not acked. */
  async function record(
    env: Env,
    budget: InvocationBudget,
    deliveries: readonly Delivery[],
    outcomes: Map<Delivery, Outcome>,
    summary: { confirmed: number; failed: number; retried: number },
  ): Promise<void> {
    const namespace = env[jobsBinding] as JobNamespace;
    const byJob = Map.groupBy(deliveries, (d) => d.job.job);
    await Promise.all(
      [...byJob].map(async ([job, group]) => {
        let answer: RecordAnswer | undefined;
        try {
          budget.spend();
          answer = await jobStub(namespace, job).record(group.map((d) => strip(outcomes.get(d)!)));
        } catch (error) {
          log({ event: "queue.record_failed", job, error: String(Object(error).message) });
        }
        for (const delivery of group) {
          const { message } = delivery;
          const outcome = outcomes.get(delivery)!;
          if (answer && !answer.known) {
            message.ack(); // the job is gone (discarded or expired): nothing to count
          } else if (!answer) {
            summary.retried++;
            message.retry({ delaySeconds: queueRetryDelay(message.attempts, 0, retryDelay) });
          } else if (outcome.outcome === "retry") {
            summary.retried++;
            message.retry({ delaySeconds: outcome.delaySeconds ?? 0 });
          } else {
            summary[outcome.outcome]++;
            message.ack();
          }
        }
      }),
    );
  }

  function final(
    { job }: Delivery,
    tokens: MessageResult["tokens"],
    error?: { name: string; status?: number },
  ): Outcome {
    const common = { seq: job.seq, ids: job.ids.length, tokens };
    return error
      ? { ...common, outcome: "failed", failedIds: job.ids, error }
      : { ...common, outcome: "confirmed" };
  }

  /** A message's outcome from its calls: confirmed, failed for good, or retried after a delay. */
  function settle(delivery: Delivery, calls: readonly Call[]): Outcome {
    const tokens = calls.flatMap((c) => ("token" in c ? [{ app: c.app, token: c.token }] : []));
    const failures = calls.flatMap((c) => ("error" in c ? [c] : []));
    if (failures.length === 0) return final(delivery, tokens);
    const fatal = failures.find((f) => !f.error.retryable);
    const { attempts } = delivery.message;
    if (fatal || attempts >= maxAttempts) {
      const { name, status } = (fatal ?? failures[0]!).error;
      return final(delivery, tokens, status === undefined ? { name } : { name, status });
    }
    const wait = Math.max(...failures.map((f) => f.error.retryAfterMs ?? 0));
    return {
      seq: delivery.job.seq,
      ids: delivery.job.ids.length,
      outcome: "retry",
      tokens,
      delaySeconds: queueRetryDelay(attempts, wait, retryDelay),
    };
  }
}

/**
 * Messages the budget had no room for: sent to the Queue again as they are, in as many
 * `sendBatch` calls as the budget has left, then acked (a re-send does not spend a delivery
 * attempt, a retry would); the others are retried at once.
 */
async function defer(
  deliveries: readonly Delivery[],
  budget: InvocationBudget,
  producer: Queue | undefined,
  log: (entry: Record<string, unknown>) => void,
): Promise<void> {
  const texts = deliveries.map((d) => {
    const body = typeof d.message.body === "string" ? d.message.body : JSON.stringify(d.job);
    return { delivery: d, body, bytes: utf8Length(body) };
  });
  for (const group of producer ? groupForSend(texts) : []) {
    if (budget.used >= budget.limit) break;
    try {
      budget.spend();
      await producer!.sendBatch(group.map(({ body }) => ({ body, contentType: "text" as const })));
    } catch (error) {
      log({ event: "queue.defer_failed", error: String(Object(error).message) });
      break;
    }
    for (const { delivery } of group) delivery.message.ack();
    texts.splice(0, group.length);
  }
  for (const { delivery } of texts) delivery.message.retry({ delaySeconds: 0 });
}

/** What crosses to the Durable Object: the result without our delivery bookkeeping. */
function strip({ delaySeconds: _, ...result }: Outcome): MessageResult {
  return result;
}
