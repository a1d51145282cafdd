// Routes are GitHub's own path templates (the same strings as the OpenAPI description's `paths`), each
// with a handler; the context a handler gets carries the caller and the authorization helpers.
import type { IncomingHttpHeaders } from "node:http";
import { type AppKey, type Caller, type Permission, requireApp, requireInstallation } from "./auth.js";
import type { ApiResponse } from "./http.js";
import type { InstallationRecord, RepoRecord } from "./records.js";
import type { Urls } from "./shapes.js";
import type { GitHubState } from "./state.js";
import type { WebhookSender } from "./webhooks.js";

export type Method = "GET" | "POST" | "PATCH" | "PUT" | "DELETE";

export interface RouteContext {
  state: GitHubState;
  urls: Urls;
  app: AppKey;
  webhooks: WebhookSender;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  headers: IncomingHttpHeaders;
  caller: Caller;
  /** The absolute URL of this request (for pagination links). */
  selfUrl: string;
}

export interface Route {
  method: Method;
  template: string;
  handle(ctx: RouteContext): Promise<ApiResponse> | ApiResponse;
}

export function defineRoute(
  method: Method,
  template: string,
  handle: (ctx: RouteContext) => Promise<ApiResponse> | ApiResponse,
): Route {
  return { method, template, handle };
}

/** The App JWT is required (GitHub's `/app/...` endpoints). */
export function asApp(ctx: RouteContext): void {
  requireApp(ctx.caller);
}

/** An installation token with one of `needs` on the `{owner}/{repo}` of the path; returns the repository. */
export function asInstallation(ctx: RouteContext, ...needs: Permission[]): RepoRecord {
  const { repo } = requireInstallation(
    ctx.caller,
    ctx.state,
    `${ctx.params.owner}/${ctx.params.repo}`,
    needs,
  );
  if (!repo) throw new Error("route without {owner}/{repo}");
  return repo;
}

export function installationOf(ctx: RouteContext): InstallationRecord {
  return requireInstallation(ctx.caller, ctx.state, undefined, []).installation;
}

export function intParam(ctx: RouteContext, name: string): number {
  return Number(ctx.params[name]);
}

interface CompiledRoute {
  route: Route;
  regex: RegExp;
  names: string[];
}

export class Router {
  private readonly compiled: CompiledRoute[];

  constructor(readonly routes: Route[]) {
    this.compiled = routes
      .map((route) => {
        const names: string[] = [];
        const pattern = route.template.replace(/\{([^}]+)\}/g, (_m, name: string) => {
          names.push(name);
          return name === "path" ? "(.+)" : "([^/]+)";
        });
        return { route, regex: new RegExp(`^${pattern}$`), names };
      })
      .sort((a, b) => a.names.length - b.names.length);
  }

  match(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
    for (const { route, regex, names } of this.compiled) {
      if (route.method !== method) continue;
      const m = regex.exec(path);
      if (!m) continue;
      const params = Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1] ?? "")]));
      return { route, params };
    }
    return undefined;
  }
}
