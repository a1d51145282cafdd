// devflow's side of GitHub in a server process: with credentials (environment, or saved by the setup
// page) the Probot app — webhook endpoint and effects worker on web, git tokens everywhere; without
// them, on web, the setup page, which mounts the app as soon as GitHub hands over the credentials.
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Probot } from "probot";
import { DEFAULT_HOST, type Environment, type GitHubAppCredentials } from "../config/index.js";
import type { EventContext, GitHubDeps, SavedAppCredentials } from "../github/index.js";
import {
  createProbot,
  createSetupHandler,
  gitAuthHeaderFor,
  githubUrls,
  installationContext,
  mountGitHubApp,
  SETUP_PATH,
} from "../github/index.js";
import type { HealthServer } from "./health-server.js";
import type { Logger } from "./logger.js";
import type { ServerRole } from "./start-devflow.js";

type Route = (request: IncomingMessage, response: ServerResponse) => Promise<boolean>;

export interface GitHubSide {
  gitAuthHeader(run: { installationId: bigint | null }): Promise<string | undefined>;
  /** GitHub's questions about a repository as its installation (the dashboard's authorization); none before registration. */
  repositoryContext(installationId: bigint, fullName: string): Promise<EventContext | undefined>;
  /** The GitHub App's owner when it is a user (the dashboard's admin); undefined before registration. */
  appOwner(): Promise<string | undefined>;
  /** Another route on the web server, tried after the webhook endpoint and the setup page (the dashboard). */
  addRoute(route: Route): void;
  /** Logs where the app stands and, without credentials, where to go next (never a secret). */
  announce(): void;
  stop(): Promise<void>;
}

export interface GitHubSideOptions {
  env: Environment;
  saved: SavedAppCredentials | undefined;
  role: ServerRole;
  server: HealthServer;
  deps: GitHubDeps;
  /** The database the webhook inbox lives in (the services' URL: DATABASE_URL or the embedded one). */
  databaseUrl: string;
  log: Logger;
}

export async function startGitHubSide(options: GitHubSideOptions): Promise<GitHubSide> {
  const { env, saved, role, server, deps, log } = options;
  const serves = role !== "worker";
  let probot: Probot | undefined;
  let stopApp: (() => Promise<void>) | undefined;
  const routes: Route[] = [];
  server.setHandler(async (request, response) => {
    for (const route of [...routes]) if (await route(request, response)) return true;
    return false;
  });

  const mount = async (credentials: GitHubAppCredentials) => {
    // With REDIS_URL, Probot's write pacing is shared by every devflow process through Redis.
    const app = createProbot(credentials, env.githubEnterprise, log, env.redisUrl);
    if (serves) {
      const mounted = await mountGitHubApp(app, credentials.webhookSecret, deps, {
        databaseUrl: options.databaseUrl,
        ...(env.publicUrl ? { publicUrl: env.publicUrl } : {}),
      });
      routes.unshift(mounted.endpoint);
      mounted.startEffects(deps);
      stopApp = () => mounted.stop();
      log.info(
        { appId: credentials.appId, webhooks: `${server.url}/api/github/webhooks` },
        "GitHub app mounted",
      );
    }
    probot = app;
  };

  const credentials = env.github ?? saved?.credentials;
  if (saved && (saved.mode & 0o077) !== 0) {
    log.warn(
      { file: saved.file, mode: saved.mode.toString(8) },
      "the saved GitHub App credentials are readable by other users: chmod 600 the file",
    );
  }
  if (credentials) await mount(credentials);
  // The setup page is served only to whoever holds this token, printed in devflow's log: the first
  // visitor of a fresh devflow must not be able to register it as their own app.
  const setupToken = randomBytes(24).toString("base64url");
  if (serves && !env.github) {
    routes.push(
      createSetupHandler({
        github: githubUrls(env.githubEnterprise),
        dataDir: env.dataDir,
        log,
        token: setupToken,
        ...(saved ? { registered: saved } : {}),
        onRegistered: async (registration) => {
          await mount(registration.credentials);
          // Registered now: with HOST unset, listen where GitHub can reach the webhook endpoint.
          if (env.host === undefined && server.host !== DEFAULT_HOST) {
            await server.rebind(DEFAULT_HOST);
            log.info({ host: DEFAULT_HOST, port: server.port }, "registered: listening on every interface");
          }
        },
      }),
    );
  }

  let owner: Promise<string | undefined> | undefined;
  return {
    appOwner() {
      if (!probot) return Promise.resolve(undefined);
      const app = probot;
      // Asked once per process; a failed ask is asked again next time.
      owner ??= app
        .auth()
        .then((octokit) => octokit.rest.apps.getAuthenticated())
        .then(({ data }) => {
          const account = data?.owner;
          return account && "login" in account && account.type === "User" ? account.login : undefined;
        })
        .catch((error: unknown) => {
          owner = undefined;
          log.warn({ err: (error as Error).message }, "could not ask GitHub who owns the app");
          return undefined;
        });
      return owner;
    },
    async gitAuthHeader(run) {
      return probot ? gitAuthHeaderFor(probot, run) : undefined;
    },
    addRoute(route) {
      routes.push(route);
    },
    async repositoryContext(installationId, fullName) {
      if (!probot) return undefined;
      const octokit = await probot.auth(Number(installationId));
      return installationContext(octokit, Number(installationId), fullName, "dashboard");
    },
    announce() {
      if (env.github) {
        log.info(
          { appId: env.github.appId, source: "environment" },
          "GitHub App credentials from the environment",
        );
      } else if (saved) {
        log.info(
          { appId: saved.registration.appId, slug: saved.registration.slug, file: saved.file },
          "GitHub App credentials saved by the setup page",
        );
      } else if (serves) {
        const link = `${server.url}${SETUP_PATH}?token=${setupToken}`;
        const where =
          env.host === undefined
            ? ` devflow listens on ${server.host} only until then (set HOST to listen elsewhere, e.g. behind a tunnel or proxy to this port).`
            : "";
        log.warn(
          { setup: link },
          `No GitHub App credentials yet: open ${link} (at devflow's public address, which GitHub must reach) to register devflow on GitHub. The link's token is this process's own: keep it to yourself.${where}`,
        );
      } else {
        log.warn(
          "No GitHub App credentials: this worker clones without an installation token. Set APP_ID, PRIVATE_KEY and WEBHOOK_SECRET, or register the app on the web process's /setup page and copy its credentials here",
        );
      }
    },
    async stop() {
      await stopApp?.();
    },
  };
}
