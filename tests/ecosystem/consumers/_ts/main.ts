// TypeScript: the published types under this consumer's moduleResolution, checked by tsc,
// then the emitted JavaScript run by Node.

import { writeFileSync } from "node:fs";
import {
  BatchApiError,
  type BatchClient,
  BatchError,
  createClient,
  type DeleteUsersReport,
} from "@batch-custom-data/core";
import {
  createClientFromEnv as clientFromRecord,
  ENV_VARIABLES,
} from "@batch-custom-data/core/env";
import { IdReadError, readIds as readStream } from "@batch-custom-data/core/ids";
import { createClientFromEnv, readIds } from "@batch-custom-data/node";

interface Config {
  baseUrl: string;
  apiKey: string;
  restApiKey: string;
  ids: string[];
}

async function main(): Promise<string[]> {
  const config = JSON.parse(process.argv[2] ?? "{}") as Config;
  const { baseUrl, apiKey, restApiKey, ids } = config;
  const client: BatchClient = createClient({ apiKey, restApiKey, baseUrl });

  const { token } = await client.deleteUser(ids[0]!);
  const report: DeleteUsersReport = await client.deleteUsers([ids[1]!, ids[2]!], {
    onProgress: ({ confirmed }) => void (confirmed satisfies number),
  });
  if (report.confirmed !== 2) throw new Error("bulk deletion not confirmed");

  // Compile-time only (never called): the types are real, not `any`.
  const _wrongUses = () => {
    // @ts-expect-error an id is a string
    void client.deleteUser(42);
    // @ts-expect-error restApiKey is required
    void createClient({ apiKey });
  };
  void _wrongUses;

  try {
    await createClient({
      apiKey,
      restApiKey: "not-the-rest-key",
      baseUrl,
      retry: false,
    }).deleteUser(ids[0]!);
    throw new Error("a wrong REST key was accepted");
  } catch (error) {
    if (!(error instanceof BatchApiError)) throw error;
    const kind: string = error.name;
    const status: number = error.status;
    if (kind !== "AUTHENTICATION_INVALID" || status !== 401 || !(error instanceof BatchError)) {
      throw new Error(`unexpected error ${kind} ${status}`);
    }
  }

  // The core's portable subpaths, typed: a client from an environment record, ids from a stream.
  const variables: readonly string[] = ENV_VARIABLES;
  if (!variables.includes("BATCH_API_KEY")) throw new Error("ENV_VARIABLES");
  const record = { BATCH_API_KEY: apiKey, BATCH_REST_API_KEY: restApiKey, BATCH_BASE_URL: baseUrl };
  const stream = new Blob([`${ids.slice(3, 5).join("\n")}\n`]).stream();
  const streamed = await clientFromRecord(record).deleteUsers(readStream(stream));
  if (streamed.confirmed !== 2) throw new Error("the stream's ids were not deleted");
  const isReadError = (e: unknown): e is IdReadError => e instanceof IdReadError;
  void isReadError;

  // The Node adapter: process.env, ids from a file.
  writeFileSync("ids.txt", `${ids.slice(5).join("\n")}\n`);
  const fromFile = await createClientFromEnv().deleteUsers(readIds("ids.txt"));
  if (fromFile.confirmed !== ids.length - 5) throw new Error("the file's ids were not deleted");
  return [token, ...[...report.tokens, ...streamed.tokens, ...fromFile.tokens].map((t) => t.token)];
}

main().then(
  (tokens) => console.log(`RESULT ${JSON.stringify({ ok: true, tokens })}`),
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
