import assert from "node:assert/strict";
import { createProgress, type Terminal } from "./progress.ts";

function terminal(isTty: boolean) {
  const written: string[] = [];
  const term: Terminal = {
    isTerminal: () => isTty,
    writeSync(bytes) {
      written.push(new TextDecoder().decode(bytes));
      return bytes.length;
    },
  };
  return { term, written };
}

/** The text of a redraw: it starts by clearing the line. */
function line(written: string | undefined): string {
  const clear = "\r\x1b[2K";
  const text = written ?? "";
  assert.ok(text.startsWith(clear), JSON.stringify(written));
  return text.slice(clear.length);
}

const at = (confirmed: number) => ({
  read: confirmed,
  sent: confirmed,
  confirmed,
  failed: 0,
  skipped: 0,
  calls: 1,
  concurrency: 4,
});

Deno.test("nothing is written when stderr is not a terminal", () => {
  const { term, written } = terminal(false);
  const view = createProgress(term, 100);
  view.update(at(50));
  view.stop();
  assert.deepEqual(written, []);
});

Deno.test("on a terminal: one redrawn line with a bar, counts, rate and ETA, at most every 100 ms", () => {
  const { term, written } = terminal(true);
  let now = 0;
  const view = createProgress(term, 100_000, () => now);
  now = 1000;
  view.update(at(40_000));
  now = 1050;
  view.update(at(41_000)); // within 100 ms: not drawn
  assert.equal(written.length, 1);
  assert.match(
    line(written[0]),
    /^█+░+ 40% deleting 40,000\/100,000 ids · ETA 2s · 40,000 confirmed · 0 failed · 40,000 ids\/s$/,
  );
  view.stop();
  assert.match(line(written.at(-2)), /41% deleting 41,000\/100,000/);
  assert.equal(written.at(-1), "\n");
});

Deno.test("without a total (stdin): counts and rate, no bar", () => {
  const { term, written } = terminal(true);
  let now = 0;
  const view = createProgress(term, undefined, () => now);
  now = 2000;
  view.update(at(10_000));
  assert.match(
    line(written[0]),
    /^deleting 10,000 ids · 10,000 confirmed · 0 failed · 5,000 ids\/s$/,
  );
});
