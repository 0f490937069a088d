// A Cloudflare Worker: the core and the Cloudflare adapter bundled by wrangler with the
// workerd conditions; the adapter's client configured from the Worker's bindings.

import { createClientFromEnv } from "@batch-custom-data/cloudflare";
import * as core from "@batch-custom-data/core";
import * as env from "@batch-custom-data/core/env";
import * as read from "@batch-custom-data/core/ids";
import { scenario } from "../scenario.mjs";

export default {
  async fetch(request, bindings) {
    const config = await request.json();
    try {
      const tokens = await scenario({ core, env, read }, config);
      const report = await createClientFromEnv(bindings).deleteUsers(config.ids.slice(5));
      if (report.confirmed !== config.ids.length - 5) throw new Error("bindings client failed");
      return Response.json({ ok: true, tokens: [...tokens, ...report.tokens.map((t) => t.token)] });
    } catch (error) {
      return Response.json({ ok: false, error: String(error?.stack ?? error) });
    }
  },
};
