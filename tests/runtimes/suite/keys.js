// The keys the suite's clients use and the emulators (in-process and served) accept. The
// app key holds a character that percent-encoding changes (`=` → `%3D`), so its form in URLs
// differs from the raw one: redaction must hide both. (Keys are printable ASCII: createClient
// refuses anything that could not travel in a header.)
export const API_KEY = "app-key=SECRET1";
export const REST_KEY = "rest-key-SECRET2";
