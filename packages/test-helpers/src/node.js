// The Node-only entry: what launches processes and browsers. The portable pieces are in
// the package's main entry.
export {
  CHROMIUM_ARGS,
  chromiumLaunchOptions,
  chromiumMissing,
  chromiumPath,
  launchChromium,
} from "./node/chromium.js";
export { killGroup, spawnGroup } from "./node/process-group.js";
export { miniflareWorkerOptions } from "./node/wrangler.js";
