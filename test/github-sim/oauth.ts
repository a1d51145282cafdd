// GitHub's web application flow for a GitHub App's user authorization: the authorize page (a form where
// the test says who signs in, standing in for GitHub's login), the code-for-token exchange, and
// `GET /user` with the user's token. The default app's client id is the one its shapes report; its
// secret is `oauthClientSecret`. Apps registered from a manifest use their own id and secret.
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { readBody } from "./http.js";
import { nodeId, type Urls, userJson } from "./shapes.js";
import type { GitHubState } from "./state.js";

export const OAUTH_PATH = /^\/login\/oauth\/(authorize|access_token)$/;

interface OAuthCode {
  login: string;
  clientId: string;
  redirectUri: string;
  expiresAt: number;
}

/** The simulator's OAuth side: codes handed out by the authorize page and the user tokens they became. */
export class OAuthState {
  readonly codes = new Map<string, OAuthCode>();
  /** user token → login */
  readonly userTokens = new Map<string, string>();
  /** The default app's client secret. */
  readonly clientSecret = randomBytes(20).toString("hex");

  constructor(private readonly state: GitHubState) {}

  get clientId(): string {
    return `Iv1.${this.state.app.id.toString(16).padStart(16, "0")}`;
  }

  secretOf(clientId: string): string | undefined {
    if (clientId === this.clientId) return this.clientSecret;
    return [...this.state.registeredApps.values()].find((app) => app.clientId === clientId)?.clientSecret;
  }
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Serves /login/oauth/*; returns the status it answered with. */
export async function handleOAuth(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  oauth: OAuthState,
): Promise<number> {
  const [, step] = OAUTH_PATH.exec(url.pathname) ?? [];
  const answer = (status: number, body: unknown, type = "application/json; charset=utf-8") => {
    res.writeHead(status, { "content-type": type });
    res.end(typeof body === "string" ? body : JSON.stringify(body));
    return status;
  };
  if (step === "authorize" && req.method === "GET") {
    const clientId = url.searchParams.get("client_id") ?? "";
    if (!oauth.secretOf(clientId)) return answer(404, "<p>Unknown client_id</p>", "text/html");
    const hidden = ["client_id", "redirect_uri", "state"]
      .map(
        (name) =>
          `<input type="hidden" name="${name}" value="${escapeHtml(url.searchParams.get(name) ?? "")}">`,
      )
      .join("");
    return answer(
      200,
      `<!doctype html><title>Sign in to GitHub (simulated)</title><form method="post">${hidden}<label>Username <input name="login" autofocus></label> <button>Authorize</button></form>`,
      "text/html; charset=utf-8",
    );
  }
  const form = new URLSearchParams((await readBody(req)).toString("utf8"));
  if (step === "authorize" && req.method === "POST") {
    const login = form.get("login") ?? "";
    const clientId = form.get("client_id") ?? "";
    const redirectUri = form.get("redirect_uri") ?? "";
    if (!login || !oauth.secretOf(clientId) || !/^https?:\/\//.test(redirectUri))
      return answer(400, "<p>Bad authorization request</p>", "text/html");
    const code = randomBytes(10).toString("hex");
    oauth.codes.set(code, { login, clientId, redirectUri, expiresAt: Date.now() + 600_000 });
    const target = new URL(redirectUri);
    target.searchParams.set("code", code);
    if (form.get("state")) target.searchParams.set("state", form.get("state") ?? "");
    res.writeHead(302, { location: target.toString() });
    res.end();
    return 302;
  }
  if (step === "access_token" && req.method === "POST") {
    // GitHub answers 200 with an `error` field for a bad code or secret.
    const code = oauth.codes.get(form.get("code") ?? "");
    const clientId = form.get("client_id") ?? "";
    const secret = oauth.secretOf(clientId);
    if (!secret || secret !== form.get("client_secret"))
      return answer(200, { error: "incorrect_client_credentials" });
    if (!code || code.clientId !== clientId || code.expiresAt <= Date.now())
      return answer(200, { error: "bad_verification_code" });
    oauth.codes.delete(form.get("code") ?? "");
    const token = `ghu_${randomBytes(18).toString("hex")}`;
    oauth.userTokens.set(token, code.login);
    return answer(200, { access_token: token, token_type: "bearer", scope: "" });
  }
  return answer(404, { message: "Not Found" });
}

/** GET /user for a user token (GitHub's public-user shape); undefined when the token is not a user's. */
export function authenticatedUser(
  authorization: string | undefined,
  oauth: OAuthState,
  state: GitHubState,
  urls: Urls,
): Record<string, unknown> | undefined {
  const token = authorization?.trim().split(/\s+/, 2)[1] ?? "";
  const login = oauth.userTokens.get(token);
  if (login === undefined) return undefined;
  const user = state.user(login);
  const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  return {
    ...userJson(urls, user),
    node_id: nodeId(user.type, user.id),
    user_view_type: "public",
    name: null,
    company: null,
    blog: "",
    location: null,
    email: null,
    hireable: null,
    bio: null,
    public_repos: 0,
    public_gists: 0,
    followers: 0,
    following: 0,
    created_at: now,
    updated_at: now,
  };
}
