/**
 * A one-line progress bar on stderr, redrawn at most every 100 ms, and only when stderr is a
 * terminal: a pipe or a log gets nothing but the final report.
 */
import type { Progress } from "@batch-custom-data/deno";

export interface Terminal {
  isTerminal(): boolean;
  writeSync(bytes: Uint8Array): number;
}

export interface ProgressView {
  update(progress: Progress): void;
  stop(): void;
}

const int = (n: number) => n.toLocaleString("en-US");
const WIDTH = 24;

export function createProgress(
  stderr: Terminal,
  total: number | undefined,
  now: () => number = Date.now,
): ProgressView {
  if (!stderr.isTerminal()) return { update() {}, stop() {} };
  const encoder = new TextEncoder();
  const started = now();
  let drawn = 0;
  let last: Progress | undefined;
  const draw = () => {
    if (!last) return;
    const done = last.confirmed + last.failed + last.skipped;
    const seconds = (now() - started) / 1000;
    const rate = seconds > 0 ? Math.round(done / seconds) : 0;
    let line = `deleting ${int(done)}${total === undefined ? "" : `/${int(total)}`} ids`;
    if (total) {
      const share = Math.min(1, done / total);
      const filled = Math.round(share * WIDTH);
      const eta = rate > 0 ? ` · ETA ${Math.ceil((total - done) / rate)}s` : "";
      line = `${"█".repeat(filled)}${"░".repeat(WIDTH - filled)} ${Math.floor(share * 100)}% ${line}${eta}`;
    }
    line += ` · ${int(last.confirmed)} confirmed · ${int(last.failed)} failed · ${int(rate)} ids/s`;
    stderr.writeSync(encoder.encode(`\r\x1b[2K${line}`));
  };
  return {
    update(progress) {
      last = progress;
      if (now() - drawn < 100) return;
      drawn = now();
      draw();
    },
    stop() {
      draw();
      if (last) stderr.writeSync(encoder.encode("\n"));
    },
  };
}
