// Node, CommonJS: the core and the Node adapter through `require`.
const { writeFileSync } = require("node:fs");
const core = require("@batch-custom-data/core");
const env = require("@batch-custom-data/core/env");
const read = require("@batch-custom-data/core/ids");
const { createClientFromEnv, readIds } = require("@batch-custom-data/node");

async function main() {
  const { scenario } = await import("./scenario.mjs");
  const config = JSON.parse(process.argv[2]);
  const tokens = await scenario({ core, env, read }, config);

  writeFileSync("ids.txt", `${config.ids.slice(5).join("\n")}\n`);
  const report = await createClientFromEnv().deleteUsers(readIds("ids.txt"));
  if (report.confirmed !== config.ids.length - 5)
    throw new Error("the file's ids were not deleted");

  console.log(
    `RESULT ${JSON.stringify({ ok: true, tokens: [...tokens, ...report.tokens.map((t) => t.token)] })}`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
