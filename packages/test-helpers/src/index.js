// The portable entry: plain ES modules with no Node built-in and no dependency, so the
// runtime suite loads it in Deno, workerd and Chromium as well as in Node.
export {
  ANDROID_KEY,
  API_KEY,
  keysIn,
  lowerHex,
  REST_KEY,
  SECRETS,
  secretForms,
  unicodeEscaped,
} from "./keys.js";
export { prng } from "./prng.js";
export { pieces } from "./streams.js";
