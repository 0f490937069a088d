/**
 * @batch-custom-data/cloudflare: the core on Cloudflare Workers. Configuration from the
 * Worker's bindings, and bulk deletion jobs on Queues: a producer that stages a job's ids in
 * a Durable Object and enqueues them only once all are valid, a consumer that stays within
 * an invocation's budgets, and job state that counts each message once.
 */
export * from "@batch-custom-data/core";
export {
  clientOptionsFromEnv,
  createClientFromEnv,
  ENV,
  ENV_VARIABLES,
  type EnvRecord,
} from "@batch-custom-data/core/env";
export {
  type ByteSource,
  countIds,
  ID_FORMATS,
  type IdCount,
  type IdFormat,
  IdReadError,
  type ReadIdsOptions,
  readIds,
} from "@batch-custom-data/core/ids";
export {
  type Plan,
  type PlanInput,
  planInvocation,
  queueRetryDelay,
  type RetryDelayOptions,
} from "./budget.js";
export { type ConsumerOptions, createQueueConsumer } from "./consumer.js";
export {
  type BudgetOptions,
  type InvocationBudget,
  invocationBudget,
  SubrequestBudgetError,
} from "./guard.js";
export { BatchJob } from "./job.js";
export {
  DEFAULT_BATCH_BYTES,
  DEFAULT_IDS_PER_MESSAGE,
  DEFAULT_MESSAGE_BYTES,
  FREE_PLAN,
  QUEUE_LIMITS,
} from "./limits.js";
export { isJobId, type JobMessage, parseJobMessage } from "./message.js";
export {
  type GroupOptions,
  groupForSend,
  type IdInput,
  type PackedMessage,
  type PackOptions,
  packMessages,
} from "./pack.js";
export { type JobNamespace, jobStub, type StartJobOptions, startJob } from "./producer.js";
export type {
  JobState,
  JobStatus,
  MessageResult,
  Page,
  RecordAnswer,
  StagedMessage,
  TokenRecord,
} from "./state.js";
