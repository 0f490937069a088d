/**
 * Progress on stderr: a cli-progress bar when stderr is a TTY (ids done, confirmed, failed,
 * ids/s, and an ETA when the total is known), otherwise, when asked for with --progress, a
 * plain line every `intervalMs`. Colour only on a TTY and without NO_COLOR.
 */
import type { Progress } from "@batch-custom-data/node";
import cliProgress from "cli-progress";
import { type Io, int, paint, useColor } from "./output.js";

export interface ProgressView {
  update(progress: Progress): void;
  stop(): void;
}

export interface ProgressOptions {
  /** Ids in the input, when known: gives a percentage and an ETA. */
  total?: number;
  /** Plain-line period when stderr is not a TTY (default 2000 ms). */
  intervalMs?: number;
  label?: string;
}

/** Shown on a terminal unless --quiet; elsewhere (a log, CI) only with --progress. */
export function showProgress(
  stderr: Pick<NodeJS.WriteStream, "isTTY">,
  flags: { quiet?: boolean; progress?: boolean },
): boolean {
  return flags.progress === true || (Boolean(stderr.isTTY) && flags.quiet !== true);
}

export const noProgress: ProgressView = { update() {}, stop() {} };

const done = (p: Progress) => p.confirmed + p.failed + p.skipped;

export function createProgress(io: Io, options: ProgressOptions = {}): ProgressView {
  const started = Date.now();
  const color = useColor(io.stderr, io.env);
  const { total } = options;
  let last: Progress = {
    read: 0,
    sent: 0,
    confirmed: 0,
    failed: 0,
    skipped: 0,
    calls: 0,
    concurrency: 0,
  };
  const rate = () => {
    const elapsed = (Date.now() - started) / 1000;
    return elapsed > 0 ? Math.round((last.confirmed + last.failed) / elapsed) : 0;
  };

  /** Seconds left at the average rate so far; "–" until there is a rate. */
  const eta = () => {
    const r = rate();
    if (total === undefined || r === 0) return "–";
    const left = Math.max(0, total - done(last));
    return `${Math.ceil(left / r)}s`;
  };

  if (io.stderr.isTTY) {
    const known = total !== undefined && total > 0;
    const bar = new cliProgress.SingleBar(
      {
        stream: io.stderr,
        format: known
          ? `${options.label ?? "deleting"} {bar} {percentage}% | {done}/{all} ids | {confirmed} confirmed | {failed} failed | {rate} ids/s | ETA {left}`
          : `${options.label ?? "deleting"} {done} ids | {confirmed} confirmed | {failed} failed | {rate} ids/s | {duration_formatted}`,
        barCompleteChar: "█",
        barIncompleteChar: "░",
        barsize: 24,
        hideCursor: true,
        clearOnComplete: false,
        fps: 10,
      },
      cliProgress.Presets.shades_classic,
    );
    const payload = () => ({
      done: int(done(last)),
      all: int(total ?? 0),
      confirmed: int(last.confirmed),
      failed: last.failed > 0 ? paint(color, 31, int(last.failed)) : "0",
      rate: int(rate()),
      left: eta(),
    });
    bar.start(known ? total : 0, 0, payload());
    return {
      update(progress) {
        last = progress;
        bar.update(done(progress), payload());
      },
      stop() {
        bar.update(done(last), payload());
        bar.stop();
      },
    };
  }

  const line = () => {
    const n = done(last);
    const parts = [
      total !== undefined
        ? `${int(n)}/${int(total)} ids (${total ? Math.floor((100 * n) / total) : 100}%)`
        : `${int(n)} ids`,
      `${int(last.confirmed)} confirmed`,
      `${int(last.failed)} failed`,
    ];
    if (last.skipped > 0) parts.push(`${int(last.skipped)} skipped`);
    const r = rate();
    parts.push(`${int(r)} ids/s`);
    if (total !== undefined && r > 0 && n < total)
      parts.push(`ETA ${Math.ceil((total - n) / r)} s`);
    io.stderr.write(`progress: ${parts.join(", ")}\n`);
  };
  const timer = setInterval(line, options.intervalMs ?? 2000);
  timer.unref();
  return {
    update(progress) {
      last = progress;
    },
    stop() {
      clearInterval(timer);
      line();
    },
  };
}
