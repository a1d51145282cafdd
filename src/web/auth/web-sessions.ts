// Dashboard sessions, kept in Postgres (any web process serves any user): the cookie holds a random
// token and the table only its sha256, so a database read does not hand out sessions. Each session has
// its own CSRF token, sent with every form and compared in constant time on every action.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { PrismaClient } from "../../db/index.js";

export const SESSION_COOKIE = "devflow_session";
export const STATE_COOKIE = "devflow_oauth_state";
const SESSION_TTL_MS = 12 * 3600_000;

export interface WebUser {
  login: string;
  githubId: bigint;
  csrfToken: string;
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

export async function createWebSession(
  prisma: PrismaClient,
  user: { login: string; githubId: bigint },
): Promise<{ token: string; maxAgeSeconds: number }> {
  const token = randomBytes(32).toString("base64url");
  await prisma.webSession.create({
    data: {
      tokenSha256: sha256(token),
      githubLogin: user.login,
      githubId: user.githubId,
      csrfToken: randomBytes(24).toString("base64url"),
      expiresAt: new Date(Date.now() + SESSION_TTL_MS),
    },
  });
  // Expired sessions go when someone signs in, so the table never grows without bound.
  await prisma.webSession.deleteMany({ where: { expiresAt: { lt: new Date() } } });
  return { token, maxAgeSeconds: SESSION_TTL_MS / 1000 };
}

export async function findWebSession(
  prisma: PrismaClient,
  request: IncomingMessage,
): Promise<WebUser | undefined> {
  const token = readCookie(request, SESSION_COOKIE);
  return token ? findWebSessionByToken(prisma, token) : undefined;
}

export async function findWebSessionByToken(
  prisma: PrismaClient,
  token: string,
): Promise<WebUser | undefined> {
  const row = await prisma.webSession.findUnique({ where: { tokenSha256: sha256(token) } });
  if (!row || row.expiresAt.getTime() <= Date.now()) return undefined;
  return {
    login: row.githubLogin,
    githubId: row.githubId,
    csrfToken: row.csrfToken,
  };
}

export async function deleteWebSession(prisma: PrismaClient, request: IncomingMessage): Promise<void> {
  const token = readCookie(request, SESSION_COOKIE);
  if (token) await prisma.webSession.deleteMany({ where: { tokenSha256: sha256(token) } });
}

export function csrfMatches(expected: string, given: string | null | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function readCookie(request: IncomingMessage, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? "").split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return decodeURIComponent(value.join("="));
  }
  return undefined;
}

/** HttpOnly, SameSite=Lax, and Secure unless the dashboard is reached over plain HTTP on loopback. */
export function cookie(
  name: string,
  value: string,
  options: { maxAgeSeconds: number; secure: boolean },
): string {
  return [
    `${name}=${encodeURIComponent(value)}`,
    "Path=/",
    "HttpOnly",
    "SameSite=Lax",
    `Max-Age=${options.maxAgeSeconds}`,
    ...(options.secure ? ["Secure"] : []),
  ].join("; ");
}
