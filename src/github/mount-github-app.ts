// Mounts devflow's Probot app on the server when GitHub App credentials are configured: the webhook
// endpoint, the effects worker (outbox → GitHub) and git credentials for runs of an installation.
import { createNodeMiddleware, Probot } from "probot";
import type { Environment } from "../config/environment.js";
import type { Logger } from "../server/logger.js";
import { createDevflowApp } from "./app.js";
import { startEffectsWorker } from "./effects/effects-worker.js";
import type { GitHubDeps } from "./handlers/github-deps.js";
import { createWebhookEndpoint } from "./webhook-endpoint.js";

export interface MountedGitHubApp {
  readonly probot: Probot;
  readonly endpoint: ReturnType<typeof createWebhookEndpoint>;
  /** `AUTHORIZATION: basic …` for git over HTTPS with the installation's token: a header, never a URL. */
  gitAuthHeader(run: { installationId: bigint | null }): Promise<string | undefined>;
  startEffects(deps: GitHubDeps): void;
  stop(): Promise<void>;
}

export function createProbot(env: Environment, logger: Logger): Probot | undefined {
  if (!env.github) return undefined;
  const baseUrl = env.githubEnterprise
    ? `${env.githubEnterprise.protocol}://${env.githubEnterprise.host}/api/v3`
    : undefined;
  return new Probot({
    appId: env.github.appId,
    privateKey: env.github.privateKey,
    secret: env.github.webhookSecret,
    log: logger.child({ name: "probot" }),
    ...(baseUrl ? { baseUrl } : {}),
  });
}

export async function mountGitHubApp(
  probot: Probot,
  secret: string,
  deps: GitHubDeps,
): Promise<MountedGitHubApp> {
  const middleware = await createNodeMiddleware(createDevflowApp(deps), { probot });
  let effects: { stop(): Promise<void> } | undefined;
  return {
    probot,
    endpoint: createWebhookEndpoint(secret, middleware),
    gitAuthHeader: (run) => gitAuthHeaderFor(probot, run),
    startEffects(effectDeps) {
      effects ??= startEffectsWorker({
        prisma: effectDeps.prisma,
        octokitFor: (installationId) => probot.auth(installationId),
        log: effectDeps.log,
      });
    },
    async stop() {
      await effects?.stop();
    },
  };
}

export async function gitAuthHeaderFor(
  probot: Probot,
  run: { installationId: bigint | null },
): Promise<string | undefined> {
  if (run.installationId === null) return undefined;
  const octokit = await probot.auth(Number(run.installationId));
  const { token } = (await octokit.auth({ type: "installation" })) as { token: string };
  return `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${token}`).toString("base64")}`;
}
