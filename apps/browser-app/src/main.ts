import "./styles.css";
import { setUpBulk } from "./bulk.js";
import { loadConfig } from "./config.js";
import { $, showError } from "./dom.js";
import { setUpMe } from "./me.js";

type View = "me" | "bulk";
const TITLES: Record<View, string> = { me: "Delete my data", bulk: "Bulk deletion" };

function viewOf(hash: string): View {
  return hash === "#/bulk" ? "bulk" : "me";
}

async function main() {
  let config: Awaited<ReturnType<typeof loadConfig>>;
  try {
    config = await loadConfig();
  } catch (error) {
    showError($("fatal"), {
      title: "This page is not set up",
      text: "It could not read its settings (config.json with proxyUrl and tokenUrl). Tell whoever runs it.",
      details: error instanceof Error ? error.message : String(error),
    });
    return;
  }
  $("env-badge").hidden = !config.devSignIn;
  const views = { me: setUpMe(config), bulk: setUpBulk(config) };

  let first = true;
  const show = () => {
    const view = viewOf(location.hash);
    for (const name of Object.keys(views) as View[]) $(`view-${name}`).hidden = name !== view;
    for (const link of document.querySelectorAll<HTMLAnchorElement>(".tabs a")) {
      if (link.dataset.view === view) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
    document.title = `${TITLES[view]} · Privacy Center`;
    views[view].enter();
    // A keyboard or screen reader user who switched sections lands on the new one.
    if (!first) $(`${view}-title`).focus();
    first = false;
  };
  window.addEventListener("hashchange", show);
  show();
}

void main();
