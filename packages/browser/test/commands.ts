import type { BrowserContext, Request, Response } from "playwright";
import type { BrowserCommand } from "vitest/node";

type DeleteMe = (url: string, token: string) => Promise<Outcome>;

interface Outcome {
  ok: boolean;
  name?: string;
  message?: string;
  onLine: boolean;
}

/**
 * Opens test/servers.ts's page (the built package, loaded through an import map) in a new
 * browser context, takes that context offline, and calls `DELETE /v1/me` from it. A context of
 * its own, because taking the tests' page offline would cut it from the test runner too.
 */
export const deleteMeOffline: BrowserCommand<
  [pageUrl: string, proxyUrl: string, token: string]
> = async (context, pageUrl, proxyUrl, token) => {
  const tests = (context as unknown as { context: BrowserContext }).context;
  const isolated = await tests.browser()!.newContext();
  try {
    const page = await isolated.newPage();
    const problems: string[] = [];
    page.on("pageerror", (error: Error) => problems.push(error.message));
    page.on("requestfailed", (r: Request) =>
      problems.push(`${r.url()}: ${r.failure()?.errorText}`),
    );
    page.on(
      "response",
      (r: Response) => r.status() >= 400 && problems.push(`${r.url()}: ${r.status()}`),
    );
    await page.goto(pageUrl);
    await page
      .waitForFunction(() => (window as { ready?: boolean }).ready === true, null, {
        timeout: 10_000,
      })
      .catch((error: Error) => {
        throw new Error(`the page did not load: ${problems.join("; ") || error.message}`);
      });
    await isolated.setOffline(true);
    return await page.evaluate(
      ([url, t]: [string, string]) =>
        (window as unknown as { deleteMe: DeleteMe }).deleteMe(url, t),
      [proxyUrl, token] as [string, string],
    );
  } finally {
    await isolated.close();
  }
};

declare module "vitest/browser" {
  interface BrowserCommands {
    deleteMeOffline(pageUrl: string, proxyUrl: string, token: string): Promise<Outcome>;
  }
}
