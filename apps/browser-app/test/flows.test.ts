// Both flows end to end in Chromium, on the built page, against the built worker-proxy in
// workerd (Miniflare, local Queues) and the emulator: what a user and an operator do, what
// the emulator ends up holding, and that no key ever reaches the page.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { launchChromium } from "@batch-custom-data/test-helpers/node";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  accessibilityViolations,
  DESKTOP,
  open,
  PHONE,
  type Session,
  screenshotPath,
} from "./browser.js";
import { PAGE_DIR, type Stack, startStack } from "./stack.js";

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  // Ids longer than 200 characters pass the page's and the proxy's checks (Batch allows
  // 1,023) but this emulator refuses them: a bulk call Batch rejects, for good.
  [stack, browser] = await Promise.all([
    startStack({ vars: { JOB_IDS_PER_MESSAGE: "250" }, emulator: { maxIdLength: 200 } }),
    launchChromium(),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

/** Neither Batch key, nor the proxy's secrets, anywhere the page could show or leak them. */
async function expectNoSecrets(session: Session) {
  await session.settle();
  const { iosKey, androidKey, restApiKey, userTokenSecret, adminToken } = stack.secrets;
  const keys = [iosKey, androidKey, restApiKey, userTokenSecret];
  const html = await session.page.content();
  const storage = await session.storage();
  const traffic = session.requests.map(
    (r) => `${r.method} ${r.url} ${JSON.stringify(r.headers)} ${r.body}`,
  );
  for (const key of keys) {
    expect(html, "the page's DOM").not.toContain(key);
    expect(storage, "the page's storage").not.toContain(key);
    for (const line of traffic) expect(line, "a request").not.toContain(key);
    for (const answer of session.answers) expect(answer, "an answer").not.toContain(key);
  }
  // The admin token and the user's JWT travel in Authorization headers, and nowhere else.
  expect(storage).not.toContain(adminToken);
  expect(storage).not.toMatch(/eyJ[\w-]+\.eyJ/);
  for (const r of session.requests) {
    expect(r.url).not.toContain(adminToken);
    expect(r.url).not.toMatch(/eyJ[\w-]+\.eyJ/);
  }
  expect(session.problems, "uncaught errors in the page").toEqual([]);
}

/** No WCAG 2.1 A/AA violation (nor axe's best practices) in the page as it is now. */
async function expectAccessible(session: Session) {
  expect(await accessibilityViolations(session.page)).toEqual([]);
}

async function screenshots(session: Session, name: string) {
  await session.page.screenshot({ path: screenshotPath(`${name}.desktop`), fullPage: true });
  await session.page.setViewportSize(PHONE);
  await session.page.screenshot({ path: screenshotPath(`${name}.phone`), fullPage: true });
  // Nothing wider than the phone's screen: no sideways scrolling.
  const width = await session.page.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(PHONE.width);
  await session.page.setViewportSize(DESKTOP);
}

describe("delete my data", () => {
  it("a signed-in user confirms with the keyboard, and their data is deleted in every app", async () => {
    const { emulator, secrets } = stack;
    for (const key of [secrets.iosKey, secrets.androidKey])
      emulator.seed(key, ["alice@example.com", "bob"]);
    const session = await open(browser, `${stack.pageUrl}#/me`);
    const { page } = session;
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    await page.screenshot({
      path: screenshotPath("delete-my-data-signin.desktop"),
      fullPage: true,
    });
    await expectAccessible(session);

    await page.getByLabel("User id", { exact: true }).fill("alice@example.com");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect
      .poll(() => page.getByText("Signed in as alice@example.com").isVisible())
      .toBe(true);

    await expectAccessible(session);
    // Submitting without the confirmation is refused, said next to the box.
    await page.getByRole("button", { name: "Delete my data" }).click();
    const box = page.getByRole("checkbox", { name: /permanently deleted/ });
    expect(await box.getAttribute("aria-invalid")).toBe("true");
    expect(await page.locator("#me-understand-error").textContent()).toMatch(/Tick the box/);
    expect(await box.evaluate((el) => el === document.activeElement)).toBe(true);

    // Keyboard only: tick with Space, move to the button, press Enter.
    await page.keyboard.press("Space");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    const done = page.getByRole("heading", { name: "Your data is being deleted" });
    await done.waitFor();
    const refs = await page.locator("#me-tokens dt").allTextContents();
    expect(refs.sort()).toEqual(["android", "ios"]);
    const tokens = await page.locator("#me-tokens dd").allTextContents();
    for (const token of tokens)
      expect(emulator.transaction(token)).toMatchObject({ kind: "single" });
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("me-done");

    emulator.flush();
    for (const key of [secrets.iosKey, secrets.androidKey]) {
      expect(emulator.hasData(key, "alice@example.com")).toBe(false);
      expect(emulator.hasData(key, "bob")).toBe(true); // only the signed-in user
    }
    const calls = session.requests.filter(
      (r) => r.url.startsWith(stack.proxyUrl) && r.method === "DELETE",
    );
    expect(calls).toHaveLength(1);
    expect(calls[0]!.headers.authorization).toMatch(/^Bearer eyJ/);

    await expectAccessible(session);
    await screenshots(session, "delete-my-data");
    await expectNoSecrets(session);
    await session.context.close();
  });

  it("tells the user to try later when Batch stays unavailable, and the alert is announced", async () => {
    const session = await open(browser, `${stack.pageUrl}#/me`);
    const { page } = session;
    await page.getByLabel("User id", { exact: true }).fill("carol");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("checkbox", { name: /permanently deleted/ }).check();
    // Every call to Batch answers 503: the proxy's retries and the page's own all fail.
    stack.emulator.setFaults({ failNext: { kind: "maintenance", count: 1_000 } });
    try {
      await page.getByRole("button", { name: "Delete my data" }).click();
      const alert = page.getByRole("alert").filter({ hasText: "busy" });
      await alert.waitFor({ timeout: 60_000 });
      expect(await alert.textContent()).toMatch(
        /The deletion service is busy.*try again in a few minutes/,
      );
      await page.screenshot({
        path: screenshotPath("delete-my-data-busy.desktop"),
        fullPage: true,
      });
      await expectAccessible(session);
    } finally {
      stack.emulator.setFaults({});
    }
    const calls = session.requests.filter((r) => r.url === `${stack.proxyUrl}/v1/me`);
    expect(calls.filter((r) => r.method === "DELETE")).toHaveLength(3); // sent, then retried twice
    await expectNoSecrets(session);
    await session.context.close();
  });

  it("says that the proxy refused the page's origin (CORS), not just 'Failed to fetch'", async () => {
    const session = await open(browser, `${stack.foreignPageUrl}#/me`);
    const { page } = session;
    await page.getByLabel("User id", { exact: true }).fill("dave");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("checkbox", { name: /permanently deleted/ }).check();
    await page.getByRole("button", { name: "Delete my data" }).click();
    const alert = page.getByRole("alert").filter({ hasText: "Could not reach" });
    await alert.waitFor();
    const text = await alert.textContent();
    expect(text).toMatch(/is up, but the browser refused to let this page read its answer/);
    expect(text).toContain(new URL(stack.foreignPageUrl).origin);
    await page.setViewportSize(PHONE);
    await page.screenshot({ path: screenshotPath("delete-my-data-cors.phone"), fullPage: true });
    await expectNoSecrets(session);
    await session.context.close();
  });
});

describe("bulk deletion", () => {
  const ids = Array.from({ length: 2_000 }, (_, i) => `user-${String(i).padStart(4, "0")}`);

  it("checks a file, runs the job to its report, and downloads the ids Batch refused", async () => {
    const { emulator, secrets } = stack;
    const file = [...ids];
    // One id in the fifth message that this emulator refuses (longer than 200): Batch
    // rejects that message's bulk call, so its 250 ids fail; the rest are deleted.
    file[1_100] = `long-${"x".repeat(250)}`;
    for (const key of [secrets.iosKey, secrets.androidKey]) emulator.seed(key, file);

    const session = await open(browser, `${stack.pageUrl}#/bulk`);
    const { page } = session;
    await page.getByLabel("Admin token").fill(secrets.adminToken);
    await page.getByLabel("File of user ids").setInputFiles({
      name: "erasure-requests.txt",
      mimeType: "text/plain",
      buffer: Buffer.from(`${file.join("\n")}\n`),
    });
    const check = page.locator("#bulk-check");
    await expect
      .poll(() => check.textContent())
      .toMatch(/^2,000 user ids in erasure-requests\.txt/);
    await page.setViewportSize(PHONE);
    await page.screenshot({ path: screenshotPath("bulk-deletion-checked.phone"), fullPage: true });
    await expectAccessible(session);
    await page.setViewportSize(DESKTOP);

    await page.getByRole("button", { name: "Start deletion" }).click();
    const title = page.getByRole("heading", { name: "Deleted 1,750 of 2,000 users" });
    await title.waitFor({ timeout: 90_000 });
    expect(await page.locator("#bulk-state").textContent()).toBe("Completed with failures");
    expect(await page.locator("#bulk-confirmed").textContent()).toBe("1,750");
    expect(await page.locator("#bulk-failed").textContent()).toBe("250");
    expect(await page.locator("#bulk-pending").textContent()).toBe("0");
    // Screen readers hear the outcome (polite live region), not every tick of the bar.
    await expect
      .poll(() => page.locator("#announcer").textContent())
      .toBe("Done: 1,750 deleted, 250 not deleted; the failed ids can be downloaded.");
    expect(await page.locator("#report-reasons-body").textContent()).toMatch(
      /MALFORMED_PARAMETER\s*250/,
    );
    expect(
      await page
        .locator("#bulk-progress")
        .evaluate((el: HTMLProgressElement) => [el.value, el.max]),
    ).toEqual([2_000, 2_000]);

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Download failed ids (250)" }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^failed-ids-[\w-]+\.txt$/);
    const failed = readFileSync(await download.path(), "utf8")
      .split("\n")
      .filter(Boolean);
    expect(failed).toHaveLength(250);
    expect(failed).toContain(file[1_100]);

    // What the emulator holds agrees: the failed ids (but the one it refused, never seeded)
    // still have data in both apps, every other id is gone.
    emulator.flush();
    const failedSet = new Set(failed);
    for (const id of file) {
      const kept = emulator.hasData(secrets.iosKey, id) || emulator.hasData(secrets.androidKey, id);
      expect(kept, id).toBe(failedSet.has(id));
    }

    await expectAccessible(session);
    await screenshots(session, "bulk-deletion");
    await expectNoSecrets(session);
    await session.context.close();
  });

  it("names a bad line of a CSV file and sends nothing", async () => {
    const session = await open(browser, `${stack.pageUrl}#/bulk`);
    const { page } = session;
    await page.getByLabel("Admin token").fill(stack.secrets.adminToken);
    const long = "y".repeat(1_024);
    await page.getByLabel("File of user ids").setInputFiles({
      name: "export.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(
        `email,user_id\na@example.com,u-1\nb@example.com,u-2\nc@example.com,${long}\n`,
      ),
    });
    await page.getByLabel("Id column").fill("user_id");
    await page.getByLabel("Id column").press("Tab");
    const check = page.locator("#bulk-check");
    await expect
      .poll(() => check.textContent())
      .toMatch(/^Line 4 of export\.csv cannot be used: .*nothing was sent/);
    expect(await check.textContent()).not.toContain(long);
    expect(await check.getAttribute("data-tone")).toBe("problem");
    await page.getByRole("button", { name: "Start deletion" }).click();
    await page.waitForTimeout(300);
    await session.settle();
    expect(session.requests.filter((r) => r.url.startsWith(stack.proxyUrl))).toEqual([]);
    await page.screenshot({ path: screenshotPath("bulk-bad-line.desktop"), fullPage: true });
    await expectAccessible(session);
    await expectNoSecrets(session);
    await session.context.close();
  });

  it("completes a job through injected faults (500, 503, 429), every id deleted", async () => {
    const { emulator, secrets } = stack;
    const batch = ids.slice(0, 1_500).map((id) => `faulty-${id}`);
    for (const key of [secrets.iosKey, secrets.androidKey]) emulator.seed(key, batch);
    emulator.setFaults({
      retryAfterSeconds: 1,
      failNext: [
        { kind: "serverError", count: 4 },
        { kind: "maintenance", count: 4 },
        { kind: "tooManyRequests", count: 2 },
      ],
      serverError: 0.05,
      badGateway: 0.05,
      seed: 5,
    });
    try {
      const session = await open(browser, `${stack.pageUrl}#/bulk`);
      const { page } = session;
      await page.getByLabel("Admin token").fill(secrets.adminToken);
      await page.getByLabel("File of user ids").setInputFiles({
        name: "requests.ndjson",
        mimeType: "application/x-ndjson",
        buffer: Buffer.from(
          batch.map((id, i) => (i % 2 ? JSON.stringify({ id }) : JSON.stringify(id))).join("\n"),
        ),
      });
      await expect
        .poll(() => page.locator("#bulk-check").textContent())
        .toMatch(/^1,500 user ids .* read as NDJSON/);
      await page.getByRole("button", { name: "Start deletion" }).click();
      await page
        .getByRole("heading", { name: "Deleted 1,500 of 1,500 users" })
        .waitFor({ timeout: 90_000 });
      expect(await page.locator("#bulk-state").textContent()).toBe("Completed");
      expect(await page.locator("#bulk-failed").textContent()).toBe("0");
      const summary = page.locator("#report-summary");
      expect(Number(await summary.getAttribute("data-retries"))).toBeGreaterThan(0);
      expect(await summary.textContent()).toMatch(/retried after a fault or a rate limit/);
      expect(await page.getByRole("button", { name: /Download failed ids/ }).isVisible()).toBe(
        false,
      );
      const statuses = emulator.log().map((entry) => entry.status);
      expect(statuses).toEqual(expect.arrayContaining([500, 503]));
      emulator.flush();
      for (const id of batch)
        expect(
          emulator.hasData(secrets.iosKey, id) || emulator.hasData(secrets.androidKey, id),
        ).toBe(false);
      await page.screenshot({ path: screenshotPath("bulk-faults.desktop"), fullPage: true });
      await expectNoSecrets(session);
      await session.context.close();
    } finally {
      emulator.setFaults({});
    }
  });
});

describe("the built page", () => {
  it("holds no key, no secret and no development value in its files", () => {
    const files = readdirSync(PAGE_DIR, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name));
    expect(files.some((f) => f.endsWith(".js"))).toBe(true);
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      for (const value of Object.values(stack.secrets)) expect(text, file).not.toContain(value);
      // Development defaults (scripts/dev.mjs) must not be compiled in either.
      expect(text, file).not.toMatch(
        /DEV_(IOS|ANDROID|REST)_API_KEY|dev-user-token-secret|dev-admin-token/,
      );
    }
  });
});
