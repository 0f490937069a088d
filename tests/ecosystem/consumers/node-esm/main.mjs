// Node, ES modules: the core and the Node adapter as `import`s.
import { writeFileSync } from "node:fs";
import * as core from "@batch-custom-data/core";
import { createClientFromEnv, readIds } from "@batch-custom-data/node";
import { scenario } from "./scenario.mjs";

const config = JSON.parse(process.argv[2]);
const tokens = await scenario(core, config);

// The Node adapter: keys from process.env (BATCH_*), ids streamed from a file.
writeFileSync("ids.txt", `${config.ids.slice(3).join("\n")}\n`);
const report = await createClientFromEnv().deleteUsers(readIds("ids.txt"));
if (report.confirmed !== config.ids.length - 3) throw new Error("the file's ids were not deleted");

console.log(
  `RESULT ${JSON.stringify({ ok: true, tokens: [...tokens, ...report.tokens.map((t) => t.token)] })}`,
);
