// The dashboard as a web process mounts it: GitHub sign-in when the App's OAuth client is known (from
// GITHUB_CLIENT_ID / GITHUB_CLIENT_SECRET, else as the setup page saved it in github-app.json), else
// loopback only.
import type { GitHubEnterprise } from "../config/index.js";
import type { PrismaClient } from "../db/index.js";
import type { DispatchEngine, EngineLog } from "../engine/index.js";
import type { GitHubDeps } from "../github/index.js";
import { githubUrls } from "../github/index.js";
import type { AdvanceJob, DevflowQueue } from "../queue/index.js";
import { createAdminQueues } from "./admin-queues.js";
import { type OAuthClient, readOAuthClient } from "./auth/github-oauth.js";
import { RepositoryAccess, type RepositoryContextOf } from "./auth/repository-access.js";
import { createDashboard } from "./dashboard.js";
import { createMetrics } from "./metrics.js";

export interface WebDashboardOptions {
  prisma: PrismaClient;
  engine: DispatchEngine;
  log: EngineLog;
  dataDir: string;
  /** The OAuth client from the environment; without it, the one the setup page saved. */
  oauthClient?: OAuthClient;
  githubEnterprise: GitHubEnterprise | undefined;
  repositoryContext: RepositoryContextOf;
  deps: GitHubDeps;
  /** The run queue's job counts, for /metrics. */
  queueCounts?: () => Promise<Record<string, number>>;
  /** The queues Bull Board shows admins at /admin/queues. */
  queues?: readonly DevflowQueue<AdvanceJob>[];
  /** The server config's `dashboard.admins`. */
  admins?: readonly string[];
  /** The GitHub App's owner (a user), an admin too. */
  appOwner?: () => Promise<string | undefined>;
}

export function createWebDashboard(options: WebDashboardOptions) {
  const client = options.oauthClient ?? readOAuthClient(options.dataDir);
  const urls = githubUrls(options.githubEnterprise);
  if (!client)
    options.log.warn({}, "dashboard: no GitHub OAuth client saved, so it answers on loopback only");
  const admins = new Set((options.admins ?? []).map((login) => login.toLowerCase()));
  const isAdmin = async (login: string) =>
    admins.has(login.toLowerCase()) || (await options.appOwner?.())?.toLowerCase() === login.toLowerCase();
  return createDashboard({
    ...(options.queues ? { adminQueues: createAdminQueues(options.queues), isAdmin } : {}),
    prisma: options.prisma,
    engine: options.engine,
    log: options.log,
    metrics: createMetrics({
      prisma: options.prisma,
      githubApiOrigin: urls.api,
      ...(options.queueCounts ? { queueCounts: options.queueCounts } : {}),
    }).serve,
    ...(client
      ? {
          signIn: {
            prisma: options.prisma,
            client,
            webUrl: urls.web,
            apiUrl: urls.api,
            access: new RepositoryAccess(options.repositoryContext, options.deps),
          },
        }
      : {}),
  });
}
