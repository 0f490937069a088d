// A Cloudflare Worker: the core bundled by wrangler with the workerd conditions.
import * as core from "@batch-custom-data/core";
import * as env from "@batch-custom-data/core/env";
import * as read from "@batch-custom-data/core/ids";
import { scenario } from "../scenario.mjs";

export default {
  async fetch(request) {
    const config = await request.json();
    try {
      const tokens = await scenario({ core, env, read }, config);
      return Response.json({ ok: true, tokens });
    } catch (error) {
      return Response.json({ ok: false, error: String(error?.stack ?? error) });
    }
  },
};
