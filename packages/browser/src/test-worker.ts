// A page's dedicated worker for guard.test.ts: no `window` here, still a browser.
import { isBrowserRuntime } from "./detect.js";
import { createClient } from "./index.js";

let refused = "";
try {
  createClient({ apiKey: "APP", restApiKey: "REST" });
} catch (error) {
  refused = (error as Error).message;
}
postMessage({ hasWindow: typeof window !== "undefined", browser: isBrowserRuntime(), refused });
