// One request through the simulator: git paths go to git http-backend; REST paths (under /api/v3 on GHE)
// go through scripted failures, the router and the handler, and come back with GitHub's headers. Every
// request is logged without its secrets.
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { handleNewAppPage, NEW_APP_PATH } from "./app-manifests.js";
import { type AppKey, type Caller, identify, type RateLimits } from "./auth.js";
import { GIT_PATH, handleGit } from "./git-http.js";
import { ApiError, type ApiResponse, notFound, parseJsonBody, readBody } from "./http.js";
import { authenticatedUser, handleOAuth, OAUTH_PATH, type OAuthState } from "./oauth.js";
import type { Router } from "./router.js";
import { type FailureScript, failureResponse } from "./script.js";
import type { Urls } from "./shapes.js";
import type { GitHubState } from "./state.js";
import type { WebhookSender } from "./webhooks.js";
import type { WritePacer } from "./write-pacer.js";

export interface LoggedRequest {
  method: string;
  /** The path as requested, query included (on GHE with its /api/v3 prefix). */
  path: string;
  /** The REST path without /api/v3 and query (what OpenAPI templates match), or the git path. */
  apiPath: string;
  /** The GitHub path template of the route that answered, when one did. */
  route: string | undefined;
  git: boolean;
  /** Which credential came (never the credential): app JWT, installation token, none, or invalid. */
  auth: Caller["kind"];
  headers: Record<string, string>;
  body: unknown;
  status: number;
  response: unknown;
  at: string;
}

export interface ServerDeps {
  state: GitHubState;
  urls: Urls;
  ghe: boolean;
  app: AppKey;
  router: Router;
  script: FailureScript;
  webhooks: WebhookSender;
  rateLimits: RateLimits;
  oauth: OAuthState;
  log: LoggedRequest[];
  pacer: WritePacer;
}

const SECRET_HEADERS = new Set(["authorization", "cookie", "proxy-authorization"]);

export function createRequestHandler(deps: ServerDeps) {
  return (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res, deps).catch((error: unknown) => {
      console.error("github-sim: request failed", error);
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ message: "Server Error", status: "500" }));
    });
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, deps: ServerDeps): Promise<void> {
  const url = new URL(req.url ?? "/", deps.urls.web);
  const method = req.method ?? "GET";
  const headers = Object.fromEntries(
    Object.entries(req.headers)
      .filter(([name]) => !SECRET_HEADERS.has(name))
      .map(([name, value]) => [name, String(value)]),
  );
  const entry: LoggedRequest = {
    method,
    path: url.pathname + url.search,
    apiPath: url.pathname,
    route: undefined,
    git: false,
    auth: "none",
    headers,
    body: undefined,
    status: 0,
    response: undefined,
    at: new Date().toISOString(),
  };
  deps.log.push(entry);

  if (GIT_PATH.test(url.pathname)) {
    entry.git = true;
    entry.body = "[git protocol data]";
    const failure = deps.script.take(method, url.pathname);
    if (failure) return send(res, failureResponse(failure), {}, entry);
    const outcome = await handleGit(req, res, url, deps.state, deps.app);
    entry.status = outcome.status;
    entry.auth = outcome.caller;
    return;
  }

  if (NEW_APP_PATH.test(url.pathname)) {
    entry.body = "[manifest form]";
    entry.status = await handleNewAppPage(req, res, url, deps.state);
    return;
  }

  if (OAUTH_PATH.test(url.pathname)) {
    entry.body = "[oauth form]";
    entry.status = await handleOAuth(req, res, url, deps.oauth);
    return;
  }

  const caller = identify(req.headers.authorization, deps.state, deps.app);
  entry.auth = caller.kind;
  const common: Record<string, string> = {
    "x-github-request-id": randomBytes(8).toString("hex").toUpperCase(),
    "x-github-media-type": "github.v3; format=json",
    "x-github-api-version-selected": "2022-11-28",
    ...(deps.ghe ? { "x-github-enterprise-version": "3.19.0" } : {}),
    ...deps.rateLimits.headers(caller),
  };
  const prefix = deps.ghe ? "/api/v3" : "";
  if (!url.pathname.startsWith(`${prefix}/`)) return send(res, notFound().toResponse(), common, entry);
  const apiPath = url.pathname.slice(prefix.length);
  entry.apiPath = apiPath;

  const raw = await readBody(req);
  await deps.script.holdIfArmed(method, apiPath);
  if (method !== "GET" && caller.kind === "installation") await deps.pacer.turn(caller.installation.id);
  let response: ApiResponse;
  const failure = deps.script.take(method, apiPath);
  try {
    const body = parseJsonBody(raw);
    entry.body = body;
    if (failure && !failure.afterEffect) {
      response = failureResponse(failure);
    } else if (method === "GET" && apiPath === "/user") {
      // A user's token (from the OAuth flow) is not an installation's: answered here, not by the router.
      const user = authenticatedUser(req.headers.authorization, deps.oauth, deps.state, deps.urls);
      if (!user) throw new ApiError(401, "Requires authentication");
      entry.route = "/user";
      entry.auth = "none";
      response = { status: 200, body: user };
    } else {
      const matched = deps.router.match(method, apiPath);
      if (!matched) throw notFound();
      entry.route = matched.route.template;
      response = await matched.route.handle({
        state: deps.state,
        urls: deps.urls,
        app: deps.app,
        webhooks: deps.webhooks,
        params: matched.params,
        query: url.searchParams,
        body,
        headers: req.headers,
        caller,
        selfUrl: url.toString(),
      });
      if (failure) response = failureResponse(failure);
    }
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    response = error.toResponse();
  }
  send(res, response, common, entry);
}

function send(
  res: ServerResponse,
  response: ApiResponse,
  common: Record<string, string>,
  entry: LoggedRequest,
) {
  entry.status = response.status;
  entry.response = redact(response.raw ?? response.body);
  const headers = { ...common, ...response.headers };
  if (response.raw !== undefined) {
    res
      .writeHead(response.status, { "content-type": "text/plain; charset=utf-8", ...headers })
      .end(response.raw);
  } else if (response.body === undefined || response.status === 204) {
    res.writeHead(response.status, headers).end();
  } else {
    res
      .writeHead(response.status, { "content-type": "application/json; charset=utf-8", ...headers })
      .end(JSON.stringify(response.body));
  }
}

const SECRET_FIELDS = ["token", "pem", "client_secret", "webhook_secret"];

/** Installation tokens and new apps' keys and secrets never reach the log (their answers are logged without them). */
function redact(body: unknown): unknown {
  if (!body || typeof body !== "object" || Array.isArray(body)) return body;
  const secrets = SECRET_FIELDS.filter((field) => field in body);
  if (secrets.length === 0) return body;
  return { ...body, ...Object.fromEntries(secrets.map((field) => [field, "[redacted]"])) };
}
