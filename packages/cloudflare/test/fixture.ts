// A Worker that uses the package directly, run in workerd by workerd.test.ts: routes call the
// package's functions and answer JSON; the queue handler is the package's consumer.
import {
  BatchJob as Base,
  createClientFromEnv,
  createQueueConsumer,
  invocationBudget,
  type JobNamespace,
  jobStub,
  type MessageResult,
  SubrequestBudgetError,
  startJob,
} from "../src/index.js";
import { messageText, utf8Length } from "../src/message.js";

/** Finished jobs are kept 3 seconds here, not 30 days, so the test can see them go. */
export class BatchJob extends Base {
  protected override retentionMs = 3_000;
}

interface Env {
  BATCH_JOBS: JobNamespace;
  BATCH_QUEUE: Queue;
  SLOW_URL: string;
  [name: string]: unknown;
}

const json = (value: unknown, status = 200) => Response.json(value, { status });

async function route(request: Request, env: Env): Promise<Response> {
  const url = new URL(request.url);
  // biome-ignore lint/suspicious/noExplicitAny: the test sends what each route expects
  const input: any = request.method === "POST" ? await request.json() : {};
  switch (url.pathname) {
    case "/start": {
      // ids: an array, or { repeat: character, length, count } built here (big inputs).
      const ids: string[] = Array.isArray(input.ids)
        ? input.ids
        : Array.from({ length: input.ids.count }, (_, i) =>
            `${i}:`.padEnd(input.ids.length, input.ids.repeat),
          );
      try {
        return json(await startJob(env.BATCH_JOBS, ids, input.options ?? {}));
      } catch (error) {
        return json({ error: String(Object(error).message) }, 400);
      }
    }
    case "/status":
      return json(await jobStub(env.BATCH_JOBS, input.id).status());
    case "/record": {
      const results: MessageResult[] = input.results;
      return json(await jobStub(env.BATCH_JOBS, input.id).record(results));
    }
    case "/seal": {
      try {
        return json(await jobStub(env.BATCH_JOBS, input.id).seal(input.expected));
      } catch (error) {
        return json({ error: String(Object(error).message) }, 400);
      }
    }
    case "/raw-job": {
      // A job whose one message holds what the producer would have refused.
      const stub = jobStub(env.BATCH_JOBS, input.id);
      await stub.create(input.id);
      const body = messageText(input.id, 0, input.ids);
      await stub.stage([{ seq: 0, body, bytes: utf8Length(body), ids: input.ids.length }]);
      return json(await stub.seal({ requested: input.ids.length, messages: 1 }));
    }
    case "/queue-text":
      await env.BATCH_QUEUE.send(input.text, { contentType: "text" });
      return json({ ok: true });
    case "/create":
      await jobStub(env.BATCH_JOBS, input.id).create(input.id);
      return json({ ok: true });
    case "/discard":
      await jobStub(env.BATCH_JOBS, input.id).discard();
      return json({ ok: true });
    case "/failed":
      return json(await jobStub(env.BATCH_JOBS, input.id).failedIds(input.page));
    case "/oversize": {
      try {
        await env.BATCH_QUEUE.send("x".repeat(input.bytes), { contentType: "text" });
        return json({ sent: true });
      } catch (error) {
        return json({ sent: false, error: String(Object(error).message) });
      }
    }
    case "/budget": {
      // `count` calls at once through a budget of `subrequests` and `connections`.
      const budget = invocationBudget(input.budget);
      const outcomes = await Promise.all(
        Array.from({ length: input.count }, (_, i) =>
          budget.fetch(`${env.SLOW_URL}/${i}`).then(
            async (response) => `ok ${await response.text()}`,
            (error) => (error instanceof SubrequestBudgetError ? "refused" : `error ${error}`),
          ),
        ),
      );
      return json({ outcomes, used: budget.used, peak: budget.peakConnections });
    }
    case "/delete-user": {
      try {
        const result = await createClientFromEnv(env).deleteUser(input.id);
        return json(result);
      } catch (error) {
        return json(
          { error: String(Object(error).message), variable: Object(error).variable },
          500,
        );
      }
    }
    default:
      return json({ error: "no such route" }, 404);
  }
}

export default {
  fetch: route,
  queue: createQueueConsumer({ deadLetterQueue: "deletions-dlq", retryDelay: { baseSeconds: 1 } }),
} satisfies ExportedHandler<Env>;
