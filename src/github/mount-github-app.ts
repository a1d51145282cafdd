// Mounts devflow's Probot app on the server once it has GitHub App credentials: the webhook endpoint,
// the effects worker (outbox → GitHub) and git credentials for runs of an installation.
import { Probot } from "probot";
import type { GitHubAppCredentials, GitHubEnterprise } from "../config/environment.js";
import type { Logger } from "../server/logger.js";
import { createDevflowApp } from "./app.js";
import { startEffectsWorker } from "./effects/effects-worker.js";
import { githubUrls } from "./github-urls.js";
import type { GitHubDeps } from "./handlers/github-deps.js";
import { startRedeliverySweep } from "./redelivery-sweep.js";
import { createWebhookEndpoint } from "./webhook-endpoint.js";

export interface MountedGitHubApp {
  readonly probot: Probot;
  readonly endpoint: ReturnType<typeof createWebhookEndpoint>;
  /** `AUTHORIZATION: basic …` for git over HTTPS with the installation's token: a header, never a URL. */
  gitAuthHeader(run: { installationId: bigint | null }): Promise<string | undefined>;
  /** The effects worker (outbox → GitHub) and the redelivery sweep. */
  startEffects(deps: GitHubDeps): void;
  stop(): Promise<void>;
}

export function createProbot(
  credentials: GitHubAppCredentials,
  enterprise: GitHubEnterprise | undefined,
  logger: Logger,
): Probot {
  return new Probot({
    appId: credentials.appId,
    privateKey: credentials.privateKey,
    secret: credentials.webhookSecret,
    log: logger.child({ name: "probot" }),
    ...(enterprise ? { baseUrl: githubUrls(enterprise).api } : {}),
  });
}

export async function mountGitHubApp(
  probot: Probot,
  secret: string,
  deps: GitHubDeps,
): Promise<MountedGitHubApp> {
  // The endpoint verifies each delivery once and hands it to Probot's `receive` (Probot's own
  // middleware would read the body again and verify a second time).
  await probot.load(createDevflowApp(deps), { cwd: process.cwd(), addHandler: () => {} });
  let effects: { stop(): Promise<void> } | undefined;
  let sweep: { stop(): void } | undefined;
  return {
    probot,
    endpoint: createWebhookEndpoint({
      secret,
      receive: (event) => probot.receive(event as Parameters<Probot["receive"]>[0]),
      log: deps.log,
    }),
    gitAuthHeader: (run) => gitAuthHeaderFor(probot, run),
    startEffects(effectDeps) {
      sweep ??= startRedeliverySweep({ probot, prisma: effectDeps.prisma, log: effectDeps.log });
      effects ??= startEffectsWorker({
        prisma: effectDeps.prisma,
        octokitFor: (installationId) => probot.auth(installationId),
        log: effectDeps.log,
      });
    },
    async stop() {
      sweep?.stop();
      await effects?.stop();
    },
  };
}

const tokens = new WeakMap<Probot, Map<number, { token: string; expiresAt: number }>>();

/**
 * An installation token for git, asked of the App's own client so it goes to the configured GitHub
 * (`octokit.auth({ type: "installation" })` on an installation client ignores GHE_HOST and calls
 * api.github.com). Cached until five minutes before it expires.
 */
async function installationToken(probot: Probot, installationId: number): Promise<string> {
  const cache = tokens.get(probot) ?? new Map<number, { token: string; expiresAt: number }>();
  tokens.set(probot, cache);
  const cached = cache.get(installationId);
  if (cached && cached.expiresAt - Date.now() > 5 * 60_000) return cached.token;
  const app = await probot.auth();
  const { data } = await app.rest.apps.createInstallationAccessToken({ installation_id: installationId });
  cache.set(installationId, { token: data.token, expiresAt: Date.parse(data.expires_at) });
  return data.token;
}

export async function gitAuthHeaderFor(
  probot: Probot,
  run: { installationId: bigint | null },
): Promise<string | undefined> {
  if (run.installationId === null) return undefined;
  const token = await installationToken(probot, Number(run.installationId));
  return `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${token}`).toString("base64")}`;
}
