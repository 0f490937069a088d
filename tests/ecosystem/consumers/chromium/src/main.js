// A web page: the core bundled by esbuild for the browser, run by Chromium against the
// emulator on another origin (CORS).
import * as core from "@batch-custom-data/core";
import * as env from "@batch-custom-data/core/env";
import * as read from "@batch-custom-data/core/ids";
import { scenario } from "../scenario.mjs";

const config = JSON.parse(new URLSearchParams(location.search).get("config"));
scenario({ core, env, read }, config).then(
  (tokens) => {
    window.result = { ok: true, tokens };
  },
  (error) => {
    window.result = { ok: false, error: String(error?.stack ?? error) };
  },
);
