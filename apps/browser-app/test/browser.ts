// Debian's Chromium through playwright-core, and what the tests keep of a session: every
// request the page made (URL, headers, body), every answer's body, and the page's storage.
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { AxeResults } from "axe-core";
import type { Browser, BrowserContext, Page } from "playwright-core";

export const ARTIFACTS = fileURLToPath(new URL("../test-artifacts/", import.meta.url));

export const DESKTOP = { width: 1280, height: 860 };
/** A phone: iPhone 12 to 15's CSS width. */
export const PHONE = { width: 390, height: 844 };

export interface Recorded {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface Session {
  context: BrowserContext;
  page: Page;
  requests: Recorded[];
  /** Bodies of every answer the page received (HTML, JS, config, the proxy's JSON). */
  answers: string[];
  /** Errors the page threw and nobody caught. */
  problems: string[];
  /** Everything the page stored: cookies, localStorage, sessionStorage, IndexedDB. */
  storage(): Promise<string>;
  /** Waits for the answers still being read, so `answers` is complete. */
  settle(): Promise<void>;
}

export async function open(browser: Browser, url: string, viewport = DESKTOP): Promise<Session> {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  const requests: Recorded[] = [];
  const answers: string[] = [];
  const problems: string[] = [];
  const reading: Promise<void>[] = [];
  context.on("request", (request) => {
    reading.push(
      request.allHeaders().then((headers) => {
        requests.push({
          method: request.method(),
          url: request.url(),
          headers,
          body: request.postDataBuffer()?.toString("utf8") ?? "",
        });
      }),
    );
  });
  context.on("response", (response) => {
    reading.push(
      response
        .body()
        .then((body) => void answers.push(body.toString("utf8")))
        .catch(() => {}), // a redirect, a cancelled or refused answer: no body to read
    );
  });
  page.on("pageerror", (error) => problems.push(error.message));
  await page.goto(url);
  return {
    context,
    page,
    requests,
    answers,
    problems,
    async settle() {
      while (reading.length > 0) await Promise.all(reading.splice(0));
    },
    async storage() {
      const state = await context.storageState({ indexedDB: true });
      const tab = await page.evaluate(() => ({
        local: { ...localStorage },
        session: { ...sessionStorage },
      }));
      return JSON.stringify({ state, tab });
    },
  };
}

export function screenshotPath(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return `${ARTIFACTS}${name}.png`;
}

const AXE = fileURLToPath(new URL("../node_modules/axe-core/axe.min.js", import.meta.url));

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/**
 * What axe-core (WCAG 2.1 A and AA, plus its best practices) finds wrong with the page as it
 * is now: contrast, labels, roles, landmarks, names. Injected by the test, not a request.
 */
export async function accessibilityViolations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    const { axe } = window as unknown as { axe: { run(options: object): Promise<AxeResults> } };
    const result = await axe.run({
      runOnly: {
        type: "tag",
        values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
      },
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? null,
      help: v.help,
      targets: v.nodes.map((n) => String(n.target)),
    }));
  });
}
