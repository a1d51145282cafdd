// Who is calling (App JWT, installation token, nobody, or bad credentials) and whether a route lets
// them: App routes need the JWT, repository routes an installation token of the installation that holds
// the repository and the permission the route needs — GitHub's 401/403/404 otherwise.

import type { KeyObject } from "node:crypto";
import { randomBytes } from "node:crypto";
import { looksLikeJwt, verifyAppJwt } from "./app-jwt.js";
import { ApiError, notFound } from "./http.js";
import type { InstallationRecord, RepoRecord } from "./records.js";
import type { GitHubState } from "./state.js";

export type Caller =
  | { kind: "none" }
  | { kind: "app" }
  | { kind: "installation"; installation: InstallationRecord; token: string }
  | { kind: "invalid"; message: string; jwt: boolean };

/** A permission a route needs; a list means any one of them will do. */
export type Permission = [name: string, level: "read" | "write"];

export interface AppKey {
  id: number;
  publicKey: KeyObject;
}

/** Reads `Authorization: Bearer|token <credential>` (and Basic with the token as password, as git sends). */
export function identify(authorization: string | undefined, state: GitHubState, app: AppKey): Caller {
  if (!authorization) return { kind: "none" };
  const [scheme = "", credential = ""] = authorization.trim().split(/\s+/, 2);
  let secret = credential;
  if (scheme.toLowerCase() === "basic") {
    const decoded = Buffer.from(credential, "base64").toString("utf8");
    secret = decoded.slice(decoded.indexOf(":") + 1);
  } else if (!["bearer", "token"].includes(scheme.toLowerCase())) {
    return { kind: "invalid", message: "Bad credentials", jwt: false };
  }
  if (looksLikeJwt(secret)) {
    const check = verifyAppJwt(secret, app.publicKey, app.id);
    return check.ok ? { kind: "app" } : { kind: "invalid", message: check.message, jwt: true };
  }
  const token = state.tokens.get(secret);
  if (!token || token.expiresAt.getTime() <= Date.now())
    return { kind: "invalid", message: "Bad credentials", jwt: false };
  const installation = state.installations.get(token.installationId);
  if (!installation) return { kind: "invalid", message: "Bad credentials", jwt: false };
  return { kind: "installation", installation, token: secret };
}

export function requireApp(caller: Caller): void {
  if (caller.kind === "app") return;
  if (caller.kind === "invalid" && caller.jwt) throw new ApiError(401, caller.message);
  throw new ApiError(401, "A JSON web token could not be decoded");
}

/**
 * An installation token that may act on the repository `owner/repo` with one of `needs`; returns the
 * repository. A repository outside the installation is 404, as GitHub hides what a token cannot see.
 */
export function requireInstallation(
  caller: Caller,
  state: GitHubState,
  fullName: string | undefined,
  needs: Permission[],
): { installation: InstallationRecord; repo: RepoRecord | undefined } {
  if (caller.kind === "none") throw new ApiError(401, "Requires authentication");
  if (caller.kind !== "installation") throw new ApiError(401, "Bad credentials");
  const { installation } = caller;
  let repo: RepoRecord | undefined;
  if (fullName) {
    repo = state.repo(fullName);
    if (repo.installationId !== installation.id) throw notFound();
  }
  const granted =
    needs.length === 0 || needs.some(([name, level]) => allows(installation.permissions[name], level));
  if (!granted) throw new ApiError(403, "Resource not accessible by integration");
  return { installation, repo };
}

function allows(granted: "read" | "write" | undefined, needed: "read" | "write"): boolean {
  return granted === "write" || (granted === "read" && needed === "read");
}

/** A new installation token (`ghs_…`, valid one hour, as GitHub issues them). */
export function issueToken(state: GitHubState, installation: InstallationRecord) {
  const token = `ghs_${randomBytes(18).toString("base64url").replace(/[-_]/g, "x")}`;
  const expiresAt = new Date(Date.now() + 3600_000);
  state.tokens.set(token, { token, installationId: installation.id, expiresAt });
  return { token, expiresAt };
}

/** Per-credential rate-limit bookkeeping for the `x-ratelimit-*` headers. */
export class RateLimits {
  private readonly used = new Map<string, number>();

  headers(caller: Caller): Record<string, string> {
    const key = caller.kind === "installation" ? caller.token : caller.kind;
    const limit = caller.kind === "installation" || caller.kind === "app" ? 5000 : 60;
    const used = (this.used.get(key) ?? 0) + 1;
    this.used.set(key, used);
    const reset = Math.ceil(Date.now() / 3600_000) * 3600;
    return {
      "x-ratelimit-limit": String(limit),
      "x-ratelimit-remaining": String(Math.max(0, limit - used)),
      "x-ratelimit-reset": String(reset),
      "x-ratelimit-used": String(used),
      "x-ratelimit-resource": "core",
    };
  }
}
