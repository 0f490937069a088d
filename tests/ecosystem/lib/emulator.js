// The emulator every consumer talks to, served by Node from the emulator's own tarball
// (consumers/emulator-server), and the admin routes the harness uses to seed users before a
// consumer runs and to check afterwards what the consumer really deleted.
import { createInterface } from "node:readline";
import { start } from "./proc.js";

export async function startEmulator(dir, { apiKey, restApiKey }) {
  const { child, stop } = start("node", ["server.mjs", JSON.stringify({ apiKey, restApiKey })], {
    cwd: dir,
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const urls = await new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the emulator did not start: ${stderr}`)),
      30_000,
    );
    createInterface({ input: child.stdout }).once("line", (line) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(line));
      } catch {
        reject(new Error(`the emulator printed ${line} ${stderr}`));
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the emulator exited (${code}): ${stderr}`));
    });
  });

  const admin = async (method, path, body) => {
    const response = await fetch(`${urls.url}/_emulator/${path}`, {
      method,
      headers: { "x-authorization": restApiKey, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: await response.json().catch(() => undefined) };
  };
  const app = encodeURIComponent(apiKey);
  return {
    ...urls,
    stop: () => {
      child.stdin.end();
      stop();
    },
    async seed(ids) {
      const res = await admin("POST", `apps/${app}/users`, ids);
      if (res.status !== 200 || res.body.added !== ids.length) {
        throw new Error(`seeding failed: ${res.status} ${JSON.stringify(res.body)}`);
      }
    },
    /** What the consumer left undone: ids with data, tokens the emulator never processed. */
    async leftovers(ids, tokens) {
      await admin("POST", "flush");
      const problems = [];
      for (const id of ids) {
        const res = await admin("GET", `apps/${app}/users/${encodeURIComponent(id)}`);
        if (res.body?.hasData !== false) problems.push(`${id} still has data`);
      }
      for (const token of tokens) {
        const res = await admin("GET", `transactions/${encodeURIComponent(token)}`);
        if (res.status !== 200 || res.body?.status !== "done") {
          problems.push(`token ${token} is not a processed transaction (${res.status})`);
        }
      }
      return problems;
    },
  };
}
