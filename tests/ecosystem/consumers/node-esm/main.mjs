// Node, ES modules: the core and the Node adapter as `import`s.
import { writeFileSync } from "node:fs";
import * as core from "@batch-custom-data/core";
import * as env from "@batch-custom-data/core/env";
import * as read from "@batch-custom-data/core/ids";
import { createClientFromEnv, readIds } from "@batch-custom-data/node";
import { scenario } from "./scenario.mjs";

const config = JSON.parse(process.argv[2]);
const tokens = await scenario({ core, env, read }, config);

// The Node adapter: keys from process.env (BATCH_*), ids streamed from a file.
writeFileSync("ids.txt", `${config.ids.slice(5).join("\n")}\n`);
const report = await createClientFromEnv().deleteUsers(readIds("ids.txt"));
if (report.confirmed !== config.ids.length - 5) throw new Error("the file's ids were not deleted");

console.log(
  `RESULT ${JSON.stringify({ ok: true, tokens: [...tokens, ...report.tokens.map((t) => t.token)] })}`,
);
