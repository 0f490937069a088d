// "Delete my data": the signed-in user confirms, the page calls DELETE /v1/me on the proxy
// with the user's token, and shows Batch's references (one token per app).
import { createProxyClient } from "@batch-custom-data/browser";
import type { AppConfig } from "./config.js";
import { $, announce, busy, fieldError, hideError, showError } from "./dom.js";
import { explain } from "./messages.js";
import { UserSession } from "./session.js";

export function setUpMe(config: AppConfig): { enter(): void } {
  const session = new UserSession(config.tokenUrl);
  const proxy = createProxyClient({ url: config.proxyUrl, token: session.token });

  const loading = $("me-loading");
  const signIn = $("me-signin");
  const confirm = $("me-confirm");
  const done = $("me-done");
  const error = $("me-error");
  const understand = $<HTMLInputElement>("me-understand");
  const understandError = $("me-understand-error");
  const submit = $<HTMLButtonElement>("me-submit");
  const userInput = $<HTMLInputElement>("signin-user");
  const userError = $("signin-error");

  function render(step: "loading" | "signin" | "confirm" | "done") {
    loading.hidden = step !== "loading";
    signIn.hidden = step !== "signin";
    confirm.hidden = step !== "confirm";
    done.hidden = step !== "done";
    if (step === "confirm") {
      const user = session.user ?? "";
      $("me-user").textContent = user;
      $("me-avatar").textContent = [...user][0] ?? "?";
    }
  }

  async function refresh() {
    render("loading");
    hideError(error);
    try {
      const current = await session.load();
      if (current) render("confirm");
      else if (config.devSignIn) render("signin");
      else {
        render("signin");
        showError(error, {
          title: "You are not signed in",
          text: "Sign in to your account on our site first, then come back to this page.",
        });
      }
    } catch (thrown) {
      render("signin");
      showError(error, explain(thrown, "user"));
    }
  }

  $<HTMLFormElement>("signin-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    hideError(error);
    const user = userInput.value;
    if (!user.trim()) {
      fieldError(userInput, userError, "Enter the user id to sign in as.");
      userInput.focus();
      return;
    }
    fieldError(userInput, userError, null);
    try {
      await session.signIn(user);
      render("confirm");
      understand.focus();
    } catch (thrown) {
      fieldError(userInput, userError, explain(thrown, "user").text);
      userInput.focus();
    }
  });

  $("signout").addEventListener("click", async () => {
    await session.signOut().catch(() => {});
    understand.checked = false;
    hideError(error);
    render(config.devSignIn ? "signin" : "loading");
    announce("Signed out.");
    if (config.devSignIn) userInput.focus();
  });

  understand.addEventListener("change", () => {
    if (understand.checked) fieldError(understand, understandError, null);
  });

  $<HTMLFormElement>("me-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    hideError(error);
    if (!understand.checked) {
      fieldError(understand, understandError, "Tick the box to confirm that you want this.");
      understand.focus();
      return;
    }
    busy(submit, "Deleting…");
    try {
      const { tokens } = await proxy.deleteMe();
      const list = $("me-tokens");
      list.replaceChildren(
        ...tokens.flatMap(({ app, token }) => {
          const term = document.createElement("dt");
          term.textContent = app;
          const value = document.createElement("dd");
          value.textContent = token;
          return [term, value];
        }),
      );
      render("done");
      done.focus();
    } catch (thrown) {
      showError(error, explain(thrown, "user"));
    } finally {
      busy(submit, null);
    }
  });

  let started = false;
  return {
    enter() {
      if (!started) {
        started = true;
        void refresh();
      }
    },
  };
}
