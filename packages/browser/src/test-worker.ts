// A page's dedicated worker for guard.test.ts: no `window` here, still a browser.
import { createClient, isBrowserRuntime } from "./index.js";

let refused = "";
try {
  createClient({ apiKey: "APP", restApiKey: "REST" });
} catch (error) {
  refused = (error as Error).message;
}
postMessage({ hasWindow: typeof window !== "undefined", browser: isBrowserRuntime(), refused });
