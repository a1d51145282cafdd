// The dashboard's routes on devflow's web server (DESIGN §8 src/web): the runs list at `/`, a run's page
// with its live transcript and actions, the hosts, sign-in, and /metrics. With GitHub sign-in every page
// needs a session and shows only runs of repositories the user can read; without it (local CLI,
// embedded mode) the dashboard answers on loopback only, and says so.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { PrismaClient, RunState } from "../db/index.js";
import type { DispatchEngine, EngineLog } from "../engine/index.js";
import { getRunStatus, repositoriesWithRuns, runLocation } from "../engine/index.js";
import { isAdminQueuesPath, sameOriginAction } from "./admin-queues.js";
import type { RepositoryAccess } from "./auth/repository-access.js";
import {
  handleSignIn,
  isLoopback,
  redirect,
  type SignInOptions,
  wantsSecureCookies,
} from "./auth/sign-in-routes.js";
import {
  cookie,
  createWebSession,
  csrfMatches,
  deleteWebSession,
  findWebSession,
  findWebSessionByToken,
  SESSION_COOKIE,
  type WebUser,
} from "./auth/web-sessions.js";
import { type Html, html, page } from "./html.js";
import { hostBody, hostsBody } from "./pages/hosts-page.js";
import { runBody } from "./pages/run-page.js";
import { runsListBody } from "./pages/runs-list.js";
import { readForm, send } from "./respond.js";
import { performRunAction, RUN_ACTIONS } from "./run-actions.js";
import { listRuns, RUN_STATES, type RunFilters, runExtras } from "./run-queries.js";
import { streamTranscript } from "./transcript-stream.js";

export interface DashboardOptions {
  prisma: PrismaClient;
  engine: DispatchEngine;
  log: EngineLog;
  /** GitHub sign-in; absent: loopback only, no sign-in. */
  signIn?: SignInOptions & { access: RepositoryAccess };
  /** Serves /metrics (Prometheus text format). */
  metrics?: (request: IncomingMessage, response: ServerResponse) => Promise<void>;
  /** How often the transcript stream polls Postgres (default 500 ms). */
  transcriptPollMs?: number;
  /** Bull Board (admin-queues.ts), served to admins at /admin/queues. */
  adminQueues?: (request: IncomingMessage, response: ServerResponse) => Promise<void>;
  /** Whether a signed-in user is an admin (the App's owner, the config's `dashboard.admins`). */
  isAdmin?: (login: string) => Promise<boolean>;
}

type Route = (request: IncomingMessage, response: ServerResponse) => Promise<boolean>;

const RUN_PATH = /^\/runs\/([0-9a-f-]{36})(\/transcript|\/actions)?$/;
const HOST_PATH = /^\/hosts\/([^/]{1,200})$/;
const LOCAL_BANNER = html`<p class="notice" role="note">GitHub sign-in is not configured, so this dashboard has no sign-in and answers only on this machine (loopback). Register devflow as a GitHub App to sign in with GitHub.</p>`;

export function createDashboard(options: DashboardOptions): Route {
  const { prisma, engine, signIn } = options;
  const banner = signIn ? undefined : LOCAL_BANNER;

  /** The signed-in user; without sign-in configured, the loopback operator ("local") gets a session too (for CSRF). */
  const userOf = async (request: IncomingMessage): Promise<{ user?: WebUser; setCookie?: string }> => {
    const user = await findWebSession(prisma, request);
    if (user || signIn) return user ? { user } : {};
    const created = await createWebSession(prisma, { login: "local", githubId: 0n });
    const setCookie = cookie(SESSION_COOKIE, created.token, {
      maxAgeSeconds: created.maxAgeSeconds,
      secure: false,
    });
    return {
      user: await findWebSessionByToken(prisma, created.token),
      setCookie,
    };
  };

  const canRead = async (user: WebUser, run: { repository: string; installationId: bigint | null }) =>
    signIn ? signIn.access.canRead(user.login, run) : true;

  const render = (
    response: ServerResponse,
    status: number,
    title: string,
    body: Html,
    user: WebUser | undefined,
    cookies: string[] = [],
  ) =>
    send(
      response,
      status,
      page({
        title,
        body,
        ...(banner ? { banner } : {}),
        ...(user && signIn ? { user: { login: user.login, csrfToken: user.csrfToken } } : {}),
      }),
      cookies.length ? { "set-cookie": cookies } : {},
    );

  return async (request, response) => {
    const url = new URL(request.url ?? "/", "http://dashboard.invalid");
    const path = url.pathname;
    const ours =
      path === "/" ||
      path === "/hosts" ||
      path === "/metrics" ||
      path.startsWith("/sign-") ||
      RUN_PATH.test(path) ||
      HOST_PATH.test(path) ||
      (options.adminQueues !== undefined && isAdminQueuesPath(path));
    if (!ours) return false;
    if (!signIn && !isLoopback(request)) {
      send(response, 403, page({ title: "Loopback only", body: LOCAL_BANNER }));
      return true;
    }
    if (path === "/metrics") {
      if (!options.metrics || !isLoopback(request)) return false;
      await options.metrics(request, response);
      return true;
    }
    if (signIn && (path === "/sign-in" || path === "/sign-in/callback")) {
      await handleSignIn(signIn, request, response, url);
      return true;
    }
    const { user, setCookie } = await userOf(request);
    const cookies = setCookie ? [setCookie] : [];
    if (options.adminQueues && isAdminQueuesPath(path)) {
      // Operators only: signed in and an admin (without sign-in, whoever is on this machine).
      if (!user && request.method === "GET") {
        render(
          response,
          401,
          "Sign in",
          html`<h1>Operators only</h1><p><a href="/sign-in">Sign in with GitHub</a> as an admin of this devflow.</p>`,
          undefined,
        );
      } else if (!user) {
        send(response, 401, "Sign in first.", { "content-type": "text/plain; charset=utf-8" });
      } else if (signIn && !(await options.isAdmin?.(user.login))) {
        render(
          response,
          403,
          "Operators only",
          html`<h1>Operators only</h1><p class="error" role="alert">${user.login} is not an admin of this devflow: the GitHub App's owner and the server config's dashboard.admins are.</p>`,
          user,
          cookies,
        );
      } else if (!sameOriginAction(request)) {
        send(response, 403, "Cross-site requests are refused.", {
          "content-type": "text/plain; charset=utf-8",
        });
      } else {
        await options.adminQueues(request, response);
      }
      return true;
    }
    if (!user) {
      if (request.method !== "GET" || path.endsWith("/transcript")) {
        send(response, 401, "Sign in first.", { "content-type": "text/plain; charset=utf-8" });
      } else {
        render(
          response,
          401,
          "Sign in",
          html`<h1>devflow</h1><p><a href="/sign-in">Sign in with GitHub</a> to see the runs of the repositories you can read.</p>`,
          undefined,
        );
      }
      return true;
    }
    if (request.method === "POST") {
      const form = await readForm(request).catch(() => undefined);
      if (!form || !csrfMatches(user.csrfToken, form.get("csrf"))) {
        send(response, 403, "The form's CSRF token is missing or wrong: reload the page and try again.", {
          "content-type": "text/plain; charset=utf-8",
        });
        return true;
      }
      if (path === "/sign-out") {
        await deleteWebSession(prisma, request);
        redirect(response, "/", [
          cookie(SESSION_COOKIE, "", { maxAgeSeconds: 0, secure: wantsSecureCookies(request) }),
        ]);
        return true;
      }
      const [, runId, sub] = RUN_PATH.exec(path) ?? [];
      if (!runId || sub !== "/actions") return false;
      const run = await runLocation(prisma, runId);
      if (!run || !(await canRead(user, run))) return false;
      const outcome = await performRunAction(prisma, engine, {
        runId,
        action: form.get("action") ?? "",
        reason: form.get("reason") ?? undefined,
        actor: user.login,
        authorize: async (target) =>
          signIn ? signIn.access.mayDecide(user.login, target) : { allowed: true, level: "admin" },
      });
      if (outcome.ok) redirect(response, `/runs/${runId}?done=${form.get("action") ?? ""}`, cookies);
      else
        render(
          response,
          outcome.status,
          "Refused",
          html`<h1>Not done</h1><p class="error" role="alert">${outcome.message}</p><p><a href="/runs/${runId}">Back to the run</a></p>`,
          user,
          cookies,
        );
      return true;
    }
    if (request.method !== "GET") return false;

    if (path === "/") {
      const state = url.searchParams.get("state");
      const filters: RunFilters = {
        ...(url.searchParams.get("repository")
          ? { repository: url.searchParams.get("repository") ?? "" }
          : {}),
        ...(state && (RUN_STATES as string[]).includes(state) ? { state: state as RunState } : {}),
        ...(url.searchParams.get("agent") ? { agent: url.searchParams.get("agent") ?? "" } : {}),
        ...(url.searchParams.get("startedBy") ? { startedBy: url.searchParams.get("startedBy") ?? "" } : {}),
      };
      let visible: string[] | undefined;
      if (signIn) {
        const repositories = await repositoriesWithRuns(prisma);
        const readable = await Promise.all(repositories.map((repo) => canRead(user, repo)));
        visible = repositories.filter((_repo, index) => readable[index]).map((repo) => repo.repository);
      }
      const after = url.searchParams.get("after") ?? undefined;
      const list = await listRuns(prisma, {
        filters,
        visibleRepositories: visible,
        ...(after && /^[0-9a-f-]{36}$/.test(after) ? { after } : {}),
      });
      render(response, 200, "Runs", runsListBody(list, filters), user, cookies);
      return true;
    }
    if (path === "/hosts") {
      const rows = await prisma.session.groupBy({ by: ["hostId", "state"], _count: { _all: true } });
      const hosts = new Map<string, { hostId: string; sessions: number; live: number }>();
      for (const row of rows) {
        const host = hosts.get(row.hostId) ?? { hostId: row.hostId, sessions: 0, live: 0 };
        host.sessions += row._count._all;
        if (row.state === "READY" || row.state === "BUSY") host.live += row._count._all;
        hosts.set(row.hostId, host);
      }
      render(response, 200, "Hosts", hostsBody([...hosts.values()]), user, cookies);
      return true;
    }
    const [, hostId] = HOST_PATH.exec(path) ?? [];
    if (hostId) {
      const sessions = await prisma.session.findMany({
        where: { hostId: decodeURIComponent(hostId) },
        orderBy: { updatedAt: "desc" },
        take: 200,
        include: { run: { select: { repository: true, installationId: true } } },
      });
      const shown = [];
      for (const session of sessions) if (await canRead(user, session.run)) shown.push(session);
      render(response, 200, `Host ${hostId}`, hostBody(decodeURIComponent(hostId), shown), user, cookies);
      return true;
    }
    const [, runId, sub] = RUN_PATH.exec(path) ?? [];
    if (!runId) return false;
    const run = await runLocation(prisma, runId);
    // A run the user may not read is answered as one that does not exist.
    if (!run || !(await canRead(user, run))) return false;
    if (sub === "/transcript") {
      await streamTranscript(prisma, runId, request, response, {
        ...(options.transcriptPollMs ? { pollMs: options.transcriptPollMs } : {}),
      });
      return true;
    }
    if (sub) return false;
    const [status, extras] = await Promise.all([getRunStatus(prisma, runId), runExtras(prisma, runId)]);
    // Only devflow's own words: a link cannot make the page say something else.
    const done = url.searchParams.get("done");
    const notice =
      done && (RUN_ACTIONS as readonly string[]).includes(done) ? `${done}: recorded.` : undefined;
    render(
      response,
      200,
      status.run.title ?? "Run",
      runBody(status, extras, { csrf: user.csrfToken, ...(notice ? { notice } : {}) }),
      user,
      cookies,
    );
    return true;
  };
}
