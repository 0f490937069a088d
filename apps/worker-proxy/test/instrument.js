// The test's main module in workerd: the built Worker (./index.js, wrangler's bundle), with
// every invocation's subrequests counted from outside the code under test. Calls to Batch go
// to a URL prefix naming the invocation, which the Node test's server counts (with the
// connections open at once); Durable Object and Queue calls are counted by wrapping the
// bindings. Each invocation prints one `@@invocation {...}` line when it ends.
import worker, { BatchJob as AppBatchJob } from "./index.js";

let crashNextBatch = false;

function report(invocation, extra = {}) {
  console.log(`@@invocation ${JSON.stringify({ ...invocation, ...extra })}`);
}

function countingStub(stub, invocation) {
  return new Proxy(stub, {
    get(target, property) {
      if (property === "then") return undefined;
      const value = target[property];
      if (typeof value !== "function") return value;
      return (...args) => {
        invocation.bindingCalls++;
        return Reflect.apply(value, target, args);
      };
    },
  });
}

function countingNamespace(namespace, invocation) {
  return new Proxy(namespace, {
    get(target, property) {
      if (property === "get")
        return (id, options) => countingStub(target.get(id, options), invocation);
      const value = target[property];
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

function countingQueue(queue, invocation) {
  return {
    send(...args) {
      invocation.bindingCalls++;
      return queue.send(...args);
    },
    sendBatch(...args) {
      invocation.bindingCalls++;
      return queue.sendBatch(...args);
    },
  };
}

function instrument(env, invocation) {
  return {
    ...env,
    BATCH_BASE_URL: `${env.COUNTER_ORIGIN}/i/${invocation.id}/1.0`,
    BATCH_JOBS: countingNamespace(env.BATCH_JOBS, invocation),
    BATCH_QUEUE: countingQueue(env.BATCH_QUEUE, invocation),
  };
}

const newInvocation = (kind) => ({ id: crypto.randomUUID(), kind, bindingCalls: 0 });

/** Test-only routes, outside the app: they fake what the platform may do. */
async function testRoute(request, env) {
  const { pathname } = new URL(request.url);
  if (pathname === "/__test/crash-next-batch") {
    crashNextBatch = true;
    return new Response("ok");
  }
  if (pathname === "/__test/send") {
    // A producer's duplicate: the same message body on the Queue again.
    await env.BATCH_QUEUE.send(await request.text(), { contentType: "text" });
    return new Response("ok");
  }
  return new Response("no such test route", { status: 404 });
}

export default {
  async fetch(request, env, ctx) {
    if (new URL(request.url).pathname.startsWith("/__test/")) return testRoute(request, env);
    const invocation = newInvocation("fetch");
    try {
      return await worker.fetch(request, instrument(env, invocation), ctx);
    } finally {
      report(invocation);
    }
  },

  async queue(batch, env, ctx) {
    const invocation = newInvocation("queue");
    const crash = crashNextBatch;
    crashNextBatch = false;
    const retries = [];
    const messages = batch.messages.map((message) => ({
      id: message.id,
      timestamp: message.timestamp,
      body: message.body,
      attempts: message.attempts,
      // After a crash the platform redelivers: acks made before it are lost.
      ack: () => (crash ? undefined : message.ack()),
      retry: (options) => {
        retries.push({ attempts: message.attempts, delaySeconds: options?.delaySeconds ?? null });
        return message.retry(options);
      },
    }));
    const wrapped = {
      queue: batch.queue,
      messages,
      ackAll: () => batch.ackAll(),
      retryAll: (options) => batch.retryAll(options),
    };
    try {
      await worker.queue(wrapped, instrument(env, invocation), ctx);
    } finally {
      report(invocation, { queue: batch.queue, messages: messages.length, retries, crash });
    }
    if (crash) throw new Error("test: the consumer crashed after recording its batch");
  },
};

/** The job's Durable Object, with each alarm's Queue calls counted. */
export class BatchJob extends AppBatchJob {
  constructor(ctx, env) {
    const invocation = { kind: "alarm", bindingCalls: 0 };
    super(ctx, { ...env, BATCH_QUEUE: countingQueue(env.BATCH_QUEUE, invocation) });
    this.invocation = invocation;
  }

  async alarm(info) {
    this.invocation.id = crypto.randomUUID();
    this.invocation.bindingCalls = 0;
    try {
      await super.alarm(info);
    } finally {
      report({ ...this.invocation });
    }
  }
}
