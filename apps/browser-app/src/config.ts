/**
 * The page's settings, read at start from `config.json` beside it, so that one build serves
 * any deployment (the dev server and the tests write their own).
 */
export interface AppConfig {
  /** The deletion proxy's address (apps/worker-proxy), e.g. https://privacy-api.example.com. */
  readonly proxyUrl: string;
  /**
   * Where the page gets the signed-in user's proxy token: `GET` (with the site's session
   * cookie) answers `{ user, token, expiresAt }`, or 401 when nobody is signed in.
   */
  readonly tokenUrl: string;
  /** Development only: `POST tokenUrl { user }` signs in as anyone, `DELETE` signs out. */
  readonly devSignIn?: boolean;
}

export async function loadConfig(): Promise<AppConfig> {
  const response = await fetch("config.json", { cache: "no-store", credentials: "omit" });
  if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
  const config = (await response.json()) as Partial<AppConfig>;
  if (typeof config.proxyUrl !== "string" || typeof config.tokenUrl !== "string") {
    throw new Error("config.json needs proxyUrl and tokenUrl");
  }
  return config as AppConfig;
}
