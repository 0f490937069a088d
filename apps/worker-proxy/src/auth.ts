import { idProblem } from "@batch-custom-data/cloudflare";
import { errors, jwtVerify } from "jose";
import { HttpError } from "./errors.js";

const encoder = new TextEncoder();
const CHALLENGE = { "WWW-Authenticate": 'Bearer realm="batch-worker-proxy"' };

function unauthorized(message: string): HttpError {
  return new HttpError(401, "UNAUTHORIZED", message, {}, CHALLENGE);
}

function bearer(header: string | undefined, what: string): string {
  const match = /^Bearer +([^\s]+) *$/i.exec(header ?? "");
  if (!match) throw unauthorized(`Send Authorization: Bearer <${what}>.`);
  return match[1]!;
}

/** A secret from the environment, or a 500 naming the variable (never its value). */
export function secret(value: string | undefined, name: string, minLength: number): string {
  if (typeof value !== "string" || encoder.encode(value).length < minLength) {
    throw new HttpError(
      500,
      "MISCONFIGURED",
      `The service is misconfigured: ${name} must be set, at least ${minLength} bytes long.`,
    );
  }
  return value;
}

/**
 * The user a request acts for: the `sub` of an HS256 JWT signed with `tokenSecret`, that has
 * not expired (`exp` is required). Any other algorithm (`none` included), a bad signature, a
 * missing claim or a malformed token is refused with 401; jose does the cryptography.
 */
export async function userOf(header: string | undefined, tokenSecret: string): Promise<string> {
  const token = bearer(header, "token");
  let sub: unknown;
  try {
    ({
      payload: { sub },
    } = await jwtVerify(token, encoder.encode(tokenSecret), {
      algorithms: ["HS256"],
      requiredClaims: ["sub", "exp"],
    }));
  } catch (error) {
    if (error instanceof errors.JWTExpired)
      throw unauthorized("The token has expired: sign in again.");
    throw unauthorized(
      "The token is not valid: it must be a JWT signed with HS256 by this service, with sub and exp claims.",
    );
  }
  const problem = idProblem(sub);
  if (problem !== undefined) {
    throw new HttpError(
      400,
      "INVALID_USER_ID",
      `The token's sub ${problem}: it must be a Batch custom user id.`,
    );
  }
  return sub as string;
}

/** Compares the bearer token with `ADMIN_TOKEN` in constant time (over their SHA-256). */
export async function requireAdmin(header: string | undefined, adminToken: string): Promise<void> {
  const given = bearer(header, "ADMIN_TOKEN");
  const [a, b] = await Promise.all([
    crypto.subtle.digest("SHA-256", encoder.encode(given)),
    crypto.subtle.digest("SHA-256", encoder.encode(adminToken)),
  ]);
  if (!crypto.subtle.timingSafeEqual(a, b)) throw unauthorized("The admin token is not valid.");
}
