import { BatchJob, createQueueConsumer } from "@batch-custom-data/cloudflare";
import { createApp, positiveInt as int } from "./app.js";
import type { Env } from "./env.js";

export { BatchJob };

const app = createApp();

export default {
  fetch: app.fetch,
  queue(batch, env) {
    return createQueueConsumer({
      deadLetterQueue: env.DEAD_LETTER_QUEUE,
      subrequests: int(env.SUBREQUEST_BUDGET, 50),
      maxAttempts: int(env.JOB_MAX_ATTEMPTS, 10),
      retryDelay: { baseSeconds: int(env.JOB_RETRY_BASE_SECONDS, 10) },
    })(batch, env as unknown as Record<string, unknown>);
  },
} satisfies ExportedHandler<Env>;
