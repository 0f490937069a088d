// Development sign-in, served beside the page by the dev server and the tests: stands for a
// site's own sign-in. `POST { user }` signs in as anyone (an HttpOnly cookie holding the user
// id, nothing else); `GET` answers that user's proxy token, an HS256 JWT signed with the
// worker-proxy's USER_TOKEN_SECRET, valid 15 minutes; `DELETE` signs out. Never deploy it.
import { SignJWT } from "jose";

const COOKIE = "dev_user";
const TTL_SECONDS = 15 * 60;

function cookieUser(header = "") {
  for (const part of header.split(";")) {
    const [name, ...value] = part.trim().split("=");
    if (name === COOKIE) {
      try {
        return decodeURIComponent(value.join("="));
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/**
 * @param {import("node:http").ServerResponse} res
 * @param {number} status
 * @param {unknown} body
 */
function send(res, status, body, headers = {}) {
  res.writeHead(status, {
    "content-type": "application/json",
    "cache-control": "no-store",
    ...headers,
  });
  res.end(body === undefined ? "" : JSON.stringify(body));
}

/** @param {import("node:http").IncomingMessage} req */
async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * A Node request handler for the development sign-in at `path` (default `/__dev/session`);
 * answers true when it handled the request.
 * @param {{ userTokenSecret: string, path?: string, ttlSeconds?: number }} options
 */
export function devSignIn({ userTokenSecret, path = "/__dev/session", ttlSeconds = TTL_SECONDS }) {
  const key = new TextEncoder().encode(userTokenSecret);
  /** @param {string} user */
  const session = async (user) => {
    const expiresAt = Date.now() + ttlSeconds * 1000;
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(user)
      .setIssuedAt()
      .setExpirationTime(Math.floor(expiresAt / 1000))
      .sign(key);
    return { user, token, expiresAt };
  };
  /** @param {import("node:http").IncomingMessage} req @param {import("node:http").ServerResponse} res */
  return async function handle(req, res) {
    if (new URL(req.url ?? "/", "http://localhost").pathname !== path) return false;
    if (req.method === "GET") {
      const user = cookieUser(req.headers.cookie);
      if (!user) send(res, 401, { error: { code: "SIGNED_OUT", message: "Nobody is signed in." } });
      else send(res, 200, await session(user));
    } else if (req.method === "POST") {
      let user;
      try {
        user = JSON.parse(await readBody(req)).user;
      } catch {}
      if (typeof user !== "string" || user.length === 0 || user.length > 1023) {
        send(res, 400, {
          error: { code: "BAD_USER", message: "The user id must be 1 to 1,023 characters." },
        });
      } else {
        const cookie = `${COOKIE}=${encodeURIComponent(user)}; Path=/; HttpOnly; SameSite=Strict`;
        send(res, 200, await session(user), { "set-cookie": cookie });
      }
    } else if (req.method === "DELETE") {
      send(res, 204, undefined, {
        "set-cookie": `${COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`,
      });
    } else {
      send(res, 405, { error: { code: "METHOD", message: "GET, POST or DELETE." } });
    }
    return true;
  };
}
