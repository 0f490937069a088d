/** Fake stdout and stderr for the CLI run in-process, keeping what was written to each. */
import { PassThrough } from "node:stream";

export function capturedOutput() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (d) => {
    out += d;
  });
  stderr.on("data", (d) => {
    err += d;
  });
  return { stdout, stderr, out: () => out, err: () => err };
}
