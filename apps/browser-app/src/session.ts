/**
 * The signed-in user, as the site's session says: a short-lived proxy token fetched from
 * `tokenUrl` and kept in memory only (never in storage), fetched again shortly before it
 * expires. In development, `tokenUrl` also signs in (POST) and out (DELETE).
 */
export interface Session {
  readonly user: string;
  readonly token: string;
  /** Epoch ms. */
  readonly expiresAt: number;
}

/** Refreshed when it has less than this left, so a call never leaves with a dying token. */
const MARGIN_MS = 60_000;

export class SignInError extends Error {
  override name = "SignInError";
}

export class UserSession {
  #current: Session | null = null;

  constructor(private readonly tokenUrl: string) {}

  get user(): string | null {
    return this.#current?.user ?? null;
  }

  /** The session the site has, or null when nobody is signed in. */
  async load(): Promise<Session | null> {
    const response = await fetch(this.tokenUrl, { credentials: "same-origin", cache: "no-store" });
    if (response.status === 401) {
      await response.body?.cancel(); // nothing to read; let the connection go
      this.#current = null;
    } else this.#current = await this.#read(response);
    return this.#current;
  }

  async signIn(user: string): Promise<Session> {
    const response = await fetch(this.tokenUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ user }),
    });
    this.#current = await this.#read(response);
    return this.#current;
  }

  async signOut(): Promise<void> {
    this.#current = null;
    await fetch(this.tokenUrl, { method: "DELETE", credentials: "same-origin" });
  }

  /** A token good for at least a minute: the proxy client calls this before every request. */
  token = async (): Promise<string> => {
    if (!this.#current || this.#current.expiresAt - Date.now() < MARGIN_MS) await this.load();
    if (!this.#current) throw new SignInError("You are signed out: sign in again.");
    return this.#current.token;
  };

  async #read(response: Response): Promise<Session> {
    const body = (await response.json().catch(() => ({}))) as Partial<Session> & {
      error?: { message?: string };
    };
    if (!response.ok || typeof body.token !== "string" || typeof body.user !== "string") {
      throw new SignInError(body.error?.message ?? `Sign-in failed (HTTP ${response.status}).`);
    }
    return { user: body.user, token: body.token, expiresAt: Number(body.expiresAt) };
  }
}
