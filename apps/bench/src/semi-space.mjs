// Where can a Node program's --max-semi-space-size be set so that it takes effect? Each way is
// tried on young-child.mjs, and the young generation's size it grew to is read back:
//   - on node's command line (what a launcher that re-runs node, or `node --flag cli.js`, does);
//   - in NODE_OPTIONS;
//   - by v8.setFlagsFromString() at the program's start (the heap is already configured);
//   - in a `#!/usr/bin/env -S node --flag` shebang (GNU and BSD env; BusyBox's env, as in
//     Alpine images, has no -S: the script would not start there).
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BENCH_DIR, run } from "./util.mjs";

const child = join(BENCH_DIR, "src", "young-child.mjs");

export async function semiSpaceWays({ tmpDir, mb = 1 }) {
  const flag = `--max-semi-space-size=${mb}`;
  const shebang = join(tmpDir, "young-shebang.mjs");
  writeFileSync(shebang, `#!/usr/bin/env -S node ${flag}\n${readFileSync(child, "utf8")}`);
  chmodSync(shebang, 0o755);
  const env = { ...process.env, NODE_OPTIONS: "" };
  const ways = [
    { way: "none (V8's default)", command: process.execPath, args: [child], env },
    { way: `\`node ${flag}\` (command line)`, command: process.execPath, args: [flag, child], env },
    {
      way: `\`NODE_OPTIONS=${flag}\``,
      command: process.execPath,
      args: [child],
      env: { ...env, NODE_OPTIONS: flag },
    },
    {
      way: `\`v8.setFlagsFromString("${flag}")\` at start`,
      command: process.execPath,
      args: [child, flag],
      env,
    },
    { way: `\`#!/usr/bin/env -S node ${flag}\` shebang`, command: shebang, args: [], env },
  ];
  const rows = [];
  for (const w of ways) {
    const result = await run(w.command, w.args, { env: w.env, timeoutMs: 30_000 }).catch(
      (error) => ({
        code: -1,
        stderr: String(error.message),
        stdout: "",
      }),
    );
    const line = result.stdout.trim().split("\n").pop();
    const newSpaceMb = result.code === 0 && line ? JSON.parse(line).newSpaceMb : null;
    rows.push({
      way: w.way,
      newSpaceMb,
      error: newSpaceMb === null ? result.stderr.trim().split("\n")[0] : undefined,
    });
  }
  const base = rows[0].newSpaceMb;
  for (const row of rows.slice(1))
    row.takesEffect = row.newSpaceMb !== null && row.newSpaceMb < base;
  return rows;
}
