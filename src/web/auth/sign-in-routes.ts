// /sign-in → GitHub's authorize page → /sign-in/callback (state checked against a cookie, code exchanged,
// user asked of GitHub) → a server-side session; /sign-out ends it.
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { PrismaClient } from "../../db/index.js";
import { requestBaseUrl, SIGN_IN_CALLBACK_PATH } from "../../github/index.js";
import { authorizeUrl, exchangeCode, fetchGitHubUser, type OAuthClient } from "./github-oauth.js";
import {
  cookie,
  createWebSession,
  csrfMatches,
  readCookie,
  SESSION_COOKIE,
  STATE_COOKIE,
} from "./web-sessions.js";

export interface SignInOptions {
  prisma: PrismaClient;
  client: OAuthClient;
  /** GitHub's web root and REST API base. */
  webUrl: string;
  apiUrl: string;
}

export function isLoopback(request: IncomingMessage): boolean {
  const address = request.socket.remoteAddress ?? "";
  return address === "::1" || address.startsWith("127.") || address.startsWith("::ffff:127.");
}

/** Secure cookies unless reached over plain HTTP on loopback (a browser drops Secure cookies there otherwise). */
export function wantsSecureCookies(request: IncomingMessage): boolean {
  return request.headers["x-forwarded-proto"] === "https" || !isLoopback(request);
}

export function redirect(response: ServerResponse, location: string, cookies: string[] = []): void {
  response.writeHead(303, { location, "set-cookie": cookies, "cache-control": "no-store" });
  response.end();
}

export async function handleSignIn(
  options: SignInOptions,
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
) {
  const secure = wantsSecureCookies(request);
  // The URL the browser reached devflow at, as the setup page registered it (callback_urls in the manifest).
  const callback = `${requestBaseUrl(request) ?? "http://localhost"}${SIGN_IN_CALLBACK_PATH}`;
  if (url.pathname === "/sign-in") {
    const state = randomBytes(24).toString("base64url");
    redirect(response, authorizeUrl(options.webUrl, options.client, callback, state), [
      cookie(STATE_COOKIE, state, { maxAgeSeconds: 600, secure }),
    ]);
    return;
  }
  // The callback: the state must be the one this browser was given (no forced sign-in as someone else).
  const expected = readCookie(request, STATE_COOKIE);
  const code = url.searchParams.get("code");
  if (!expected || !csrfMatches(expected, url.searchParams.get("state")) || !code) {
    response.writeHead(400, { "content-type": "text/plain; charset=utf-8" });
    response.end("The sign-in could not be verified (its state did not match). Start again at /sign-in.");
    return;
  }
  let user: { login: string; id: bigint };
  try {
    // The user's token answers "who is this" once and is dropped: nothing else is asked with it.
    const token = await exchangeCode(options.webUrl, options.client, code, callback);
    user = await fetchGitHubUser(options.apiUrl, token);
  } catch (error) {
    response.writeHead(502, { "content-type": "text/plain; charset=utf-8" });
    response.end(`${(error as Error).message}. Start again at /sign-in.`);
    return;
  }
  const session = await createWebSession(options.prisma, {
    login: user.login,
    githubId: user.id,
  });
  redirect(response, "/", [
    cookie(SESSION_COOKIE, session.token, { maxAgeSeconds: session.maxAgeSeconds, secure }),
    cookie(STATE_COOKIE, "", { maxAgeSeconds: 0, secure }),
  ]);
}
