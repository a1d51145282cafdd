// devflow's side of GitHub in a server process: with credentials (environment, or saved by the setup
// page) the Probot app — webhook endpoint and effects worker on web, git tokens everywhere; without
// them, on web, the setup page, which mounts the app as soon as GitHub hands over the credentials.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Probot } from "probot";
import type { Environment, GitHubAppCredentials } from "../config/environment.js";
import { githubUrls } from "../github/github-urls.js";
import type { GitHubDeps } from "../github/handlers/github-deps.js";
import { createProbot, gitAuthHeaderFor, mountGitHubApp } from "../github/mount-github-app.js";
import { SETUP_PATH } from "../github/setup/app-manifest.js";
import type { SavedAppCredentials } from "../github/setup/saved-app-credentials.js";
import { createSetupHandler } from "../github/setup/setup-handler.js";
import type { HealthServer } from "./health-server.js";
import type { Logger } from "./logger.js";
import type { ServerRole } from "./start-devflow.js";

type Route = (request: IncomingMessage, response: ServerResponse) => Promise<boolean>;

export interface GitHubSide {
  gitAuthHeader(run: { installationId: bigint | null }): Promise<string | undefined>;
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
    const app = createProbot(credentials, env.githubEnterprise, log);
    if (serves) {
      const mounted = await mountGitHubApp(app, credentials.webhookSecret, deps);
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
  if (serves && !env.github) {
    routes.push(
      createSetupHandler({
        github: githubUrls(env.githubEnterprise),
        dataDir: env.dataDir,
        log,
        ...(saved ? { registered: saved } : {}),
        onRegistered: (registration) => mount(registration.credentials),
      }),
    );
  }

  return {
    async gitAuthHeader(run) {
      return probot ? gitAuthHeaderFor(probot, run) : undefined;
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
        log.warn(
          { setup: `${server.url}${SETUP_PATH}` },
          `No GitHub App credentials yet: open ${server.url}${SETUP_PATH} (at devflow's public address, which GitHub must reach) to register devflow on GitHub`,
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
