import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { createProgress, noProgress, showProgress } from "./progress.js";

describe("progress", () => {
  it("shows on a terminal unless --quiet; elsewhere only with --progress", () => {
    expect(showProgress({ isTTY: true }, {})).toBe(true);
    expect(showProgress({ isTTY: true }, { quiet: true })).toBe(false);
    expect(showProgress({ isTTY: false }, {})).toBe(false);
    expect(showProgress({ isTTY: undefined } as never, {})).toBe(false);
    expect(showProgress({ isTTY: false }, { progress: true })).toBe(true);
    expect(() => {
      noProgress.update({
        read: 1,
        sent: 1,
        confirmed: 1,
        failed: 0,
        skipped: 0,
        calls: 1,
        concurrency: 4,
      });
      noProgress.stop();
    }).not.toThrow();
  });

  it("plain progress lines when stderr is not a TTY", () => {
    const stderr = new PassThrough();
    const io = { stdout: new PassThrough(), stderr, stdin: process.stdin, env: {} } as never;
    const progress = createProgress(io, { total: 10 });
    progress.update({
      read: 10,
      sent: 10,
      confirmed: 4,
      failed: 1,
      skipped: 2,
      calls: 2,
      concurrency: 4,
    });
    progress.stop();
    expect(stderr.read().toString()).toMatch(
      /^progress: 7\/10 ids \(70%\), 4 confirmed, 1 failed, 2 skipped, [\d,]+ ids\/s/,
    );
    const unknown = new PassThrough();
    const p2 = createProgress({ ...(io as object), stderr: unknown } as never);
    p2.stop();
    expect(unknown.read().toString()).toMatch(
      /^progress: 0 ids, 0 confirmed, 0 failed, 0 ids\/s\n$/,
    );
  });

  it("a bar on a terminal: ids done of the total, confirmed, failed (red), ids/s, ETA", () => {
    let drawn = "";
    const stderr = Object.assign(new PassThrough(), {
      isTTY: true,
      columns: 200,
      cursorTo: () => true,
      clearLine: () => true,
      clearScreenDown: () => true,
      moveCursor: () => true,
    });
    stderr.on("data", (d) => {
      drawn += d;
    });
    const io = { stdout: new PassThrough(), stderr, stdin: process.stdin, env: {} } as never;
    const bar = createProgress(io, { total: 10 });
    bar.update({
      read: 10,
      sent: 10,
      confirmed: 6,
      failed: 1,
      skipped: 0,
      calls: 2,
      concurrency: 4,
    });
    bar.stop();
    expect(drawn).toMatch(
      /deleting .*[█░]+.* 70% \| 7\/10 ids \| 6 confirmed \| .*1.* failed \| [\d,]+ ids\/s \| ETA/,
    );
    expect(drawn).toContain("\x1b[31m1\x1b[0m");

    drawn = "";
    const plain = createProgress({ ...(io as object), env: { NO_COLOR: "1" } } as never);
    plain.update({
      read: 3,
      sent: 3,
      confirmed: 3,
      failed: 0,
      skipped: 0,
      calls: 1,
      concurrency: 4,
    });
    plain.stop();
    expect(drawn).toMatch(/deleting 3 ids \| 3 confirmed \| 0 failed \| [\d,]+ ids\/s/);
    expect(drawn).not.toContain("\x1b[31m");
  });
});
