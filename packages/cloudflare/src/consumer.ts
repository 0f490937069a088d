import {
  type ClientOptions,
  createClient,
  type ErrorSummary,
  MAX_IDS_PER_CALL,
} from "@batch-custom-data/core";
import { clientOptionsFromEnv } from "@batch-custom-data/core/env";
import { planInvocation, queueRetryDelay, type RetryDelayOptions } from "./budget.js";
import { invocationBudget } from "./guard.js";
import { FREE_PLAN } from "./limits.js";
import { type JobMessage, parseJobMessage } from "./message.js";
import { type JobNamespace, jobStub } from "./producer.js";
import type { MessageResult, RecordAnswer } from "./state.js";

export interface ConsumerOptions {
  /** The jobs' Durable Object namespace binding. Default `BATCH_JOBS`. */
  jobsBinding?: string;
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
type Delivery = { message: Message<unknown>; job: JobMessage };
type Outcome = MessageResult & { delaySeconds?: number };

/** An app's label and key, as the core labels them (object key, array index, or "0"). */
function appsOf(apiKey: ClientOptions["apiKey"]): [label: string, key: string][] {
  if (typeof apiKey === "string") return [["0", apiKey]];
  if (Array.isArray(apiKey)) return apiKey.map((key, i) => [String(i), key]);
  return Object.entries(apiKey);
}

/** `Retry-After` of an answer, in ms: seconds or an HTTP date. */
function retryAfterMs(response: Response): number {
  const value = response.headers.get("retry-after");
  if (!value) return 0;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - Date.now();
  return Number.isFinite(ms) ? Math.max(0, ms) : 0;
}

/**
 * The Queue consumer of bulk deletion jobs: `export default { queue: createQueueConsumer() }`.
 * Per invocation it plans how many messages fit the subrequest budget (deferring the rest),
 * sends each message's ids to every app (one bulk call each, at most `connections` at once),
 * records the outcomes in each job's Durable Object (one call per job), then acks what is
 * settled and retries the rest through the Queue with a delay that honours `Retry-After`.
 * Nothing is acked before its outcome is recorded: a crash means a redelivery, which the
 * job counts once.
 */
export function createQueueConsumer(options: ConsumerOptions = {}) {
  const {
    jobsBinding = "BATCH_JOBS",
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
    const namespace = env[jobsBinding] as JobNamespace;
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

    let outcomes: Map<Delivery, Outcome>;
    let toProcess = deliveries;
    const defer = (count: number) => {
      toProcess = deliveries.slice(0, count);
      for (const { message } of deliveries.slice(count)) {
        summary.deferred++;
        message.retry({ delaySeconds: 0 });
      }
    };
    const jobs = deliveries.map((d) => d.job.job);
    if (batch.queue === deadLetterQueue) {
      // The Queue gave up on these: each is a final failure, recorded once, one call per job.
      defer(planInvocation({ jobs, apps: 0, subrequests }).process);
      outcomes = new Map(
        toProcess.map((d) => [d, final(d, [], { name: "DEAD_LETTERED" }, false)] as const),
      );
    } else {
      let config: ClientOptions;
      try {
        config = clientOptionsFromEnv(env, options.client);
      } catch (error) {
        // A configuration error (named by its variable): retry later, it may be fixed by then.
        log({ ...summary, event: "queue.config_error", error: String(Object(error).message) });
        for (const { message } of deliveries) {
          message.retry({ delaySeconds: queueRetryDelay(message.attempts, 0, retryDelay) });
        }
        return;
      }
      const apps = appsOf(config.apiKey);
      const plan = planInvocation({ jobs, apps: apps.length, subrequests, retries });
      defer(plan.process);
      const clientFor = (label: string, key: string, capture: { retryAfterMs: number }) =>
        createClient({
          ...config,
          apiKey: { [label]: key },
          // One bulk call per message and app, whatever BATCH_CHUNK_SIZE says.
          chunkSize: MAX_IDS_PER_CALL,
          concurrency: 1,
          retry:
            plan.retries === 0
              ? false
              : { retries: plan.retries, baseDelayMs: 250, maxDelayMs: 1_000, maxElapsedMs: 5_000 },
          fetch: async (input, init) => {
            const response = await budget.fetch(input, init);
            capture.retryAfterMs = Math.max(capture.retryAfterMs, retryAfterMs(response));
            return response;
          },
        });
      outcomes = new Map(
        await Promise.all(
          toProcess.map(async (delivery) => {
            const calls = await Promise.all(
              apps.map(async ([label, key]) => {
                const capture = { retryAfterMs: 0 };
                const report = await clientFor(label, key, capture).deleteUsers(delivery.job.ids, {
                  throwOnFailure: false,
                });
                const token = report.tokens[0];
                if (token && report.failures.length === 0) {
                  return { app: label, token: token.token };
                }
                const error = report.failures[0]?.error ?? {
                  name: "UNEXPECTED_REPORT",
                  message: "",
                  retryable: true,
                  attempts: 0,
                };
                return { app: label, error, retryAfterMs: capture.retryAfterMs };
              }),
            );
            return [delivery, settle(delivery, calls)] as const;
          }),
        ),
      );
    }

    // One state call per job; only then ack: an outcome not recorded is not acked.
    const byJob = Map.groupBy(toProcess, (d) => d.job.job);
    await Promise.all(
      [...byJob].map(async ([jobId, group]) => {
        const results = group.map((d) => strip(outcomes.get(d)!));
        let answer: RecordAnswer | undefined;
        try {
          budget.spend();
          answer = await jobStub(namespace, jobId).record(results);
        } catch (error) {
          log({ event: "queue.record_failed", job: jobId, error: String(Object(error).message) });
        }
        for (const delivery of group) {
          const outcome = outcomes.get(delivery)!;
          if (answer && !answer.known) {
            delivery.message.ack(); // the job is gone (discarded or expired): nothing to count
          } else if (!answer) {
            summary.retried++;
            delivery.message.retry({
              delaySeconds: queueRetryDelay(delivery.message.attempts, 0, retryDelay),
            });
          } else if (outcome.outcome === "retry") {
            summary.retried++;
            delivery.message.retry({ delaySeconds: outcome.delaySeconds ?? 0 });
          } else {
            summary[outcome.outcome]++;
            delivery.message.ack();
          }
        }
      }),
    );
    summary.processed = toProcess.length;
    summary.subrequests = budget.used;
    summary.peakConnections = budget.peakConnections;
    log(summary);
  };

  function final(
    { job }: Delivery,
    tokens: MessageResult["tokens"],
    error: { name: string; status?: number },
    ok: boolean,
  ): Outcome {
    return ok
      ? { seq: job.seq, ids: job.ids.length, outcome: "confirmed", tokens }
      : { seq: job.seq, ids: job.ids.length, outcome: "failed", tokens, failedIds: job.ids, error };
  }

  /** A message's outcome from its calls: confirmed, failed for good, or retried after a delay. */
  function settle(
    delivery: Delivery,
    calls: (
      | { app: string; token: string }
      | { app: string; error: ErrorSummary; retryAfterMs: number }
    )[],
  ): Outcome {
    const tokens = calls.flatMap((c) => ("token" in c ? [{ app: c.app, token: c.token }] : []));
    const failures = calls.flatMap((c) => ("error" in c ? [c] : []));
    if (failures.length === 0) return final(delivery, tokens, { name: "" }, true);
    const fatal = failures.find((f) => !f.error.retryable);
    const { attempts } = delivery.message;
    if (fatal || attempts >= maxAttempts) {
      const { name, status } = (fatal ?? failures[0]!).error;
      return final(delivery, tokens, { name, ...(status === undefined ? {} : { status }) }, false);
    }
    const wait = Math.max(
      ...failures.map((f) => Math.max(f.retryAfterMs, Number(Object(f.error).retryAfterMs) || 0)),
    );
    return {
      seq: delivery.job.seq,
      ids: delivery.job.ids.length,
      outcome: "retry",
      tokens,
      delaySeconds: queueRetryDelay(attempts, wait, retryDelay),
    };
  }
}

/** What crosses to the Durable Object: the result without our delivery bookkeeping. */
function strip({ delaySeconds: _, ...result }: Outcome): MessageResult {
  return result;
}
