// Runs a bundled Worker in workerd through Miniflare, with no compatibility flags (no
// nodejs_compat) and the given bindings, and sends it the consumer's configuration; the Worker answers with what its
// scenario returned.
import { Miniflare } from "miniflare";

export async function runWorker(script, config, bindings = {}) {
  const mf = new Miniflare({
    modules: true,
    script,
    compatibilityDate: "2025-09-01",
    compatibilityFlags: [],
    bindings,
  });
  try {
    const response = await mf.dispatchFetch("http://localhost/", {
      method: "POST",
      body: JSON.stringify(config),
    });
    const result = await response.json();
    if (!result.ok) throw new Error(`the Worker failed: ${result.error}`);
    return result;
  } finally {
    await mf.dispose();
  }
}
