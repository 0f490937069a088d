// Bulk deletion: an operator picks a file; the page counts and checks its ids (nothing is
// sent yet), starts a job on the proxy with the admin token, watches it to the end, and
// offers the ids that were not deleted as a file.
import {
  countFileIds,
  createProxyClient,
  formatOfFile,
  type IdFormat,
  idsToFile,
  isBatchAbortError,
  type ProxyClient,
  type ProxyJob,
  type ReadIdsOptions,
} from "@batch-custom-data/browser";
import type { AppConfig } from "./config.js";
import { $, announce, busy, count, fieldError, hideError, showError } from "./dom.js";
import { explain } from "./messages.js";

const FORMAT_NAMES: Record<IdFormat, string> = {
  lines: "one id per line",
  csv: "CSV",
  ndjson: "NDJSON",
  json: "a JSON array",
};

const STATE_NAMES: Record<ProxyJob["state"], string> = {
  staging: "Receiving",
  enqueuing: "Queued",
  running: "Running",
  done: "Completed",
};

export function setUpBulk(config: AppConfig): { enter(): void } {
  const form = $<HTMLFormElement>("bulk-form");
  const tokenInput = $<HTMLInputElement>("bulk-token");
  const tokenError = $("bulk-token-error");
  const fileInput = $<HTMLInputElement>("bulk-file");
  const formatSelect = $<HTMLSelectElement>("bulk-format");
  const columnInput = $<HTMLInputElement>("bulk-column");
  const headerBox = $<HTMLInputElement>("bulk-header");
  const check = $("bulk-check");
  const start = $<HTMLButtonElement>("bulk-start");
  const error = $("bulk-error");
  const jobCard = $("bulk-job");
  const progress = $<HTMLProgressElement>("bulk-progress");
  const stop = $<HTMLButtonElement>("bulk-stop");
  const download = $<HTMLButtonElement>("bulk-download");
  const again = $<HTMLButtonElement>("bulk-again");

  // The admin token lives in this input (and this closure's reads of it) only.
  const proxy: ProxyClient = createProxyClient({
    url: config.proxyUrl,
    token: () => tokenInput.value.trim(),
  });

  /** The file's check: its id count, or its first problem (then nothing can be started). */
  let checked: { file: File; options: ReadIdsOptions; count: number; ok: boolean } | null = null;
  let generation = 0;
  let watching: AbortController | null = null;
  let finished: ProxyJob | null = null;

  function readOptions(file: File): ReadIdsOptions {
    const format = (formatSelect.value || formatOfFile(file)) as IdFormat;
    if (format !== "csv") return { format };
    const column = columnInput.value.trim();
    const header = headerBox.checked;
    if (/^\d+$/.test(column) && Number(column) >= 1) {
      return { format, column: Number(column) - 1, header };
    }
    return column ? { format, column, header: true } : { format, column: 0, header };
  }

  function showCheck(tone: "ok" | "problem" | "busy", text: string) {
    check.dataset.tone = tone;
    check.textContent = text;
    check.hidden = false;
  }

  /** Counts and checks the chosen file, again whenever the format options change. */
  async function checkFile() {
    hideError(error);
    const file = fileInput.files?.[0];
    const format = file ? ((formatSelect.value || formatOfFile(file)) as IdFormat) : null;
    $("bulk-csv-column").hidden = format !== "csv";
    $("bulk-csv-header").hidden = format !== "csv";
    checked = null;
    if (!file) {
      check.hidden = true;
      return;
    }
    const mine = ++generation;
    const options = readOptions(file);
    showCheck("busy", `Checking ${file.name}…`);
    try {
      const result = await countFileIds(file, options);
      if (mine !== generation) return; // a newer choice is being checked
      if (result.firstProblem) {
        const { line, message } = result.firstProblem;
        checked = { file, options, count: result.count, ok: false };
        showCheck(
          "problem",
          `Line ${count(line)} of ${file.name} cannot be used: ${message.replace(/^.*? line \d+: /, "")} Fix the file and choose it again; nothing was sent.`,
        );
      } else if (result.count === 0) {
        checked = { file, options, count: 0, ok: false };
        showCheck("problem", `${file.name} holds no user ids (read as ${FORMAT_NAMES[format!]}).`);
      } else {
        checked = { file, options, count: result.count, ok: true };
        showCheck(
          "ok",
          `${count(result.count)} user ${result.count === 1 ? "id" : "ids"} in ${file.name}, read as ${FORMAT_NAMES[format!]}. Ready to start.`,
        );
      }
    } catch (thrown) {
      if (mine === generation) showCheck("problem", explain(thrown, "operator").text);
    }
  }

  fileInput.addEventListener("change", checkFile);
  formatSelect.addEventListener("change", checkFile);
  columnInput.addEventListener("change", checkFile);
  headerBox.addEventListener("change", checkFile);
  tokenInput.addEventListener("input", () => fieldError(tokenInput, tokenError, null));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    hideError(error);
    if (!tokenInput.value.trim()) {
      fieldError(tokenInput, tokenError, "Enter the admin token.");
      tokenInput.focus();
      return;
    }
    if (!checked?.ok) {
      if (!checked) showCheck("problem", "Choose a file of user ids first.");
      fileInput.focus();
      return;
    }
    busy(start, "Uploading…");
    try {
      const job = await proxy.startJob(checked.file, checked.options);
      announce(`Deletion of ${count(job.requested)} users started.`);
      form.hidden = true;
      await watch(job.id, job.requested);
    } catch (thrown) {
      showError(error, explain(thrown, "operator"));
    } finally {
      busy(start, null);
    }
  });

  function render(job: ProxyJob) {
    const handled = job.confirmed + job.failed;
    $("bulk-job-title").textContent =
      job.state === "done"
        ? `Deleted ${count(job.confirmed)} of ${count(job.requested)} users`
        : `Deleting ${count(job.requested)} users`;
    const state = $("bulk-state");
    const partial = job.state === "done" && job.failed > 0;
    state.textContent = partial ? "Completed with failures" : STATE_NAMES[job.state];
    state.dataset.state = partial ? "partial" : job.state;
    progress.max = Math.max(job.requested, 1);
    progress.value = handled;
    $("bulk-handled").textContent = `${count(handled)} of ${count(job.requested)}`;
    progress.setAttribute(
      "aria-valuetext",
      `${count(handled)} of ${count(job.requested)} handled: ${count(job.confirmed)} deleted, ${count(job.failed)} failed`,
    );
    $("bulk-confirmed").textContent = count(job.confirmed);
    $("bulk-failed").textContent = count(job.failed);
    $("bulk-failed").dataset.tone = job.failed > 0 ? "problem" : "";
    $("bulk-pending").textContent = count(job.pending);
  }

  async function watch(id: string, requested: number) {
    $("bulk-job-id").textContent = id;
    jobCard.hidden = false;
    $("bulk-report").hidden = true;
    download.hidden = true;
    again.hidden = true;
    stop.hidden = false;
    jobCard.focus();
    watching = new AbortController();
    let said = 0; // the last quarter announced
    try {
      for await (const job of proxy.watchJob(id, { signal: watching.signal })) {
        render(job);
        const quarter = Math.floor(((job.confirmed + job.failed) / Math.max(requested, 1)) * 4);
        if (job.state !== "done" && quarter > said) {
          said = quarter;
          announce(`${quarter * 25}% handled.`);
        }
        if (job.state === "done") report(job);
      }
    } catch (thrown) {
      if (isBatchAbortError(thrown)) {
        announce("Stopped watching. The job goes on in the background.");
        $("bulk-state").textContent = "Not watched";
        $("bulk-state").dataset.state = "stopped";
      } else showError(error, explain(thrown, "operator"));
      again.hidden = false;
    } finally {
      stop.hidden = true;
      watching = null;
    }
  }

  function report(job: ProxyJob) {
    finished = job;
    const ms = job.finishedAt ? Date.parse(job.finishedAt) - Date.parse(job.createdAt) : NaN;
    const summary = $("report-summary");
    summary.dataset.retries = String(job.retries);
    summary.textContent = `${Number.isFinite(ms) ? `Finished in ${duration(ms)}. ` : ""}${
      job.retries === 0
        ? "No delivery needed a retry."
        : `${count(job.retries)} ${job.retries === 1 ? "delivery was" : "deliveries were"} retried after a fault or a rate limit.`
    }`;
    const reasons = Object.entries(job.errors).sort(([, a], [, b]) => b - a);
    $("report-reasons").hidden = reasons.length === 0;
    $("report-reasons-body").replaceChildren(
      ...reasons.map(([reason, n]) => {
        const row = document.createElement("tr");
        const name = document.createElement("td");
        const code = document.createElement("code");
        code.textContent = reason;
        name.append(code);
        const ids = document.createElement("td");
        ids.textContent = count(n);
        row.append(name, ids);
        return row;
      }),
    );
    $("bulk-report").hidden = false;
    download.hidden = job.failed === 0;
    download.textContent = `Download failed ids (${count(job.failed)})`;
    again.hidden = false;
    announce(
      `Done: ${count(job.confirmed)} deleted, ${count(job.failed)} not deleted${job.failed ? "; the failed ids can be downloaded" : ""}.`,
    );
  }

  stop.addEventListener("click", () => watching?.abort());

  download.addEventListener("click", async () => {
    if (!finished) return;
    hideError(error);
    busy(download, "Preparing…");
    try {
      const ids: string[] = [];
      for await (const page of proxy.failedIds(finished.id)) ids.push(...page);
      const file = idsToFile(ids, `failed-ids-${finished.id}`);
      const url = URL.createObjectURL(file);
      const link = document.createElement("a");
      link.href = url;
      link.download = file.name;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      announce(`Downloaded ${count(ids.length)} failed ids as ${file.name}.`);
    } catch (thrown) {
      showError(error, explain(thrown, "operator"));
    } finally {
      busy(download, null);
      download.textContent = `Download failed ids (${count(finished.failed)})`;
    }
  });

  again.addEventListener("click", () => {
    jobCard.hidden = true;
    finished = null;
    hideError(error);
    const token = tokenInput.value;
    form.reset();
    tokenInput.value = token;
    check.hidden = true;
    checked = null;
    $("bulk-csv-column").hidden = true;
    $("bulk-csv-header").hidden = true;
    form.hidden = false;
    fileInput.focus();
  });

  return { enter() {} };
}

function duration(ms: number): string {
  const seconds = Math.max(1, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${seconds % 60} s`;
}
