// The keys the suite's clients use and the emulators (in-process and served) accept. The
// app key holds a non-ASCII character so that its percent-encoded form, the one that
// travels in URLs, differs from the raw one: redaction must hide both.
export const API_KEY = "app-key-é-SECRET1";
export const REST_KEY = "rest-key-SECRET2";
