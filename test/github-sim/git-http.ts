// Git over HTTP as GitHub serves it: `/{owner}/{repo}.git/...` through `git http-backend` (CGI) over the
// simulator's bare repositories. The installation token must come as an HTTP header — `Authorization:
// Basic base64(x-access-token:<token>)` or `Authorization: Bearer <token>` — else 401 with
// WWW-Authenticate. Every push is recorded with the refs it changed.
// Refs: like GitHub, pushes to branches, tags and other namespaces of the repository's own (devflow's
// refs/devflow/runs/<id>) are accepted, and refs/pull/* is hidden — GitHub answers a push there with
// "deny updating a hidden ref" (git's receive.hideRefs, which is what it sets).
import { spawn } from "node:child_process";
import type { IncomingMessage, ServerResponse } from "node:http";
import { relative } from "node:path";
import { type AppKey, type Caller, identify } from "./auth.js";
import { gitEnv, refSnapshot } from "./git-repos.js";
import { isoNow } from "./http.js";
import type { RepoRecord } from "./records.js";
import type { GitHubState } from "./state.js";

export const GIT_PATH = /^\/([^/]+)\/([^/]+?)\.git(\/.*)?$/;

export interface GitRequestOutcome {
  status: number;
  caller: Caller["kind"];
  push: boolean;
}

export async function handleGit(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  state: GitHubState,
  app: AppKey,
): Promise<GitRequestOutcome> {
  const [, owner = "", name = "", rest = "/"] = GIT_PATH.exec(url.pathname) ?? [];
  const push = rest === "/git-receive-pack" || url.searchParams.get("service") === "git-receive-pack";
  const caller = identify(req.headers.authorization, state, app);
  const plain = (status: number, text: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { "content-type": "text/plain; charset=utf-8", ...headers }).end(text);
    return { status, caller: caller.kind, push };
  };
  let repo: RepoRecord | undefined;
  try {
    repo = state.repo(`${owner}/${name}`);
  } catch {
    repo = undefined;
  }
  const anonymousRead = repo && !repo.private && !push && caller.kind === "none";
  if (!anonymousRead && caller.kind !== "installation") {
    return plain(401, "Authentication required\n", { "www-authenticate": 'Basic realm="GitHub"' });
  }
  if (!repo || (caller.kind === "installation" && repo.installationId !== caller.installation.id)) {
    return plain(404, "Repository not found.\n");
  }
  const granted = caller.kind === "installation" ? caller.installation.permissions.contents : "read";
  if (push && granted !== "write") {
    return plain(403, `Permission to ${repo.fullName}.git denied to ${state.appBot().login}.\n`);
  }
  if (!granted) return plain(403, `Permission to ${repo.fullName}.git denied to ${state.appBot().login}.\n`);

  const recordsPush = push && req.method === "POST";
  const before = recordsPush ? await refSnapshot(repo.gitDir) : undefined;
  // The push is recorded before the response ends, so a client that saw its push succeed finds it.
  const recordPush = async () => {
    if (!before || !repo) return;
    const after = await refSnapshot(repo.gitDir);
    const refs = new Set([...before.keys(), ...after.keys()]);
    const updates = [...refs]
      .filter((ref) => before.get(ref) !== after.get(ref))
      .map((ref) => ({ ref, before: before.get(ref) ?? null, after: after.get(ref) ?? null }));
    if (updates.length > 0) {
      state.pushes.push({ repo: repo.fullName, pusher: state.appBot().login, updates, at: isoNow() });
      repo.pushedAt = isoNow();
    }
  };
  const status = await runHttpBackend(req, res, url, state.gitRoot, repo, rest, recordPush);
  return { status, caller: caller.kind, push };
}

/** Runs `git http-backend` as a CGI and relays its response; resolves with the HTTP status it gave. */
function runHttpBackend(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  gitRoot: string,
  repo: RepoRecord,
  rest: string,
  beforeEnd: () => Promise<void>,
): Promise<number> {
  const cgiEnv: Record<string, string> = {
    GIT_PROJECT_ROOT: gitRoot,
    GIT_HTTP_EXPORT_ALL: "1",
    PATH_INFO: `/${relative(gitRoot, repo.gitDir)}${rest}`,
    QUERY_STRING: url.search.replace(/^\?/, ""),
    REQUEST_METHOD: req.method ?? "GET",
    CONTENT_TYPE: req.headers["content-type"] ?? "",
    REMOTE_USER: "x-access-token",
    REMOTE_ADDR: req.socket.remoteAddress ?? "127.0.0.1",
    SERVER_PROTOCOL: "HTTP/1.1",
    GIT_CONFIG_COUNT: "1",
    GIT_CONFIG_KEY_0: "receive.hideRefs",
    GIT_CONFIG_VALUE_0: "refs/pull",
  };
  if (req.headers["content-length"]) cgiEnv.CONTENT_LENGTH = req.headers["content-length"];
  if (req.headers["content-encoding"]) cgiEnv.HTTP_CONTENT_ENCODING = req.headers["content-encoding"];
  const protocol = req.headers["git-protocol"];
  if (typeof protocol === "string") cgiEnv.GIT_PROTOCOL = protocol;

  return new Promise((resolve, reject) => {
    const child = spawn("git", ["http-backend"], { env: gitEnv(cgiEnv), stdio: ["pipe", "pipe", "pipe"] });
    let head = Buffer.alloc(0);
    let status = 200;
    let headersSent = false;
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    child.stdout.on("data", (chunk: Buffer) => {
      if (headersSent) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const text = head.toString("latin1");
      const end = text.search(/\r?\n\r?\n/);
      if (end < 0) return;
      const separator = /\r?\n\r?\n/.exec(text.slice(end))?.[0].length ?? 2;
      const headers: Record<string, string> = {};
      for (const line of text.slice(0, end).split(/\r?\n/)) {
        const colon = line.indexOf(":");
        const key = line.slice(0, colon).trim().toLowerCase();
        const value = line.slice(colon + 1).trim();
        if (key === "status") status = Number.parseInt(value, 10);
        else headers[key] = value;
      }
      res.writeHead(status, headers);
      headersSent = true;
      res.write(head.subarray(end + separator));
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (!headersSent) {
        res
          .writeHead(500, { "content-type": "text/plain" })
          .end(`git http-backend failed (${code}): ${stderr}`);
        resolve(500);
        return;
      }
      beforeEnd()
        .catch((error: unknown) => console.error("github-sim: recording a push failed", error))
        .finally(() => {
          res.end();
          resolve(status);
        });
    });
    req.pipe(child.stdin);
  });
}
