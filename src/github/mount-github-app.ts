// Mounts devflow's Probot app on the server once it has GitHub App credentials: the webhook endpoint
// (verify, store in the inbox, answer), the inbox processor (inbox → the app's handlers), the effects
// worker (outbox → GitHub) and git credentials for runs of an installation.
import type { Logger } from "pino";
import { Probot } from "probot";
import type { GitHubAppCredentials, GitHubEnterprise } from "../config/index.js";
import { createDevflowApp } from "./app.js";
import { startEffectsWorker } from "./effects/effects-worker.js";
import { githubUrls } from "./github-urls.js";
import type { DeliveryOutcomes } from "./handle-delivery.js";
import type { GitHubDeps } from "./handlers/github-deps.js";
import { createAcknowledgementLoad } from "./intake/acknowledgement-load.js";
import { openDeliveryStore } from "./intake/delivery-log.js";
import { noticeFailedDelivery } from "./intake/failed-delivery-notice.js";
import { storeDelivery } from "./intake/store-delivery.js";
import { type InboxProcessor, startInboxProcessor } from "./intake/webhook-inbox.js";
import { startRedeliverySweep } from "./redelivery-sweep.js";
import { createWebhookEndpoint } from "./webhook-endpoint.js";

export interface MountedGitHubApp {
  readonly probot: Probot;
  readonly endpoint: ReturnType<typeof createWebhookEndpoint>;
  /** `AUTHORIZATION: basic …` for git over HTTPS with the installation's token: a header, never a URL. */
  gitAuthHeader(run: { installationId: bigint | null }): Promise<string | undefined>;
  /** The inbox processor, the effects worker (outbox → GitHub) and the redelivery sweep. */
  startEffects(deps: GitHubDeps): void;
  stop(): Promise<void>;
}

export function createProbot(
  credentials: GitHubAppCredentials,
  enterprise: GitHubEnterprise | undefined,
  logger: Logger,
  /**
   * With Redis, Probot's write pacing (plugin-throttling's Bottleneck limiters, one set per
   * installation) is kept in Redis, so all of devflow's processes together keep GitHub's pace.
   */
  redisUrl?: string,
): Probot {
  return new Probot({
    appId: credentials.appId,
    privateKey: credentials.privateKey,
    secret: credentials.webhookSecret,
    log: logger.child({ name: "probot" }),
    ...(enterprise ? { baseUrl: githubUrls(enterprise).api } : {}),
    ...(redisUrl ? { redisConfig: redisUrl } : {}),
  });
}

export interface MountOptions {
  /** The database the webhook inbox lives in (its processor holds claims on connections of its own). */
  databaseUrl: string;
  /** Deliveries processed at once. */
  inboxConcurrency?: number;
  /** devflow's public address (DEVFLOW_PUBLIC_URL): check runs link to the dashboard under it. */
  publicUrl?: string;
}

export async function mountGitHubApp(
  probot: Probot,
  secret: string,
  deps: GitHubDeps,
  options: MountOptions,
): Promise<MountedGitHubApp> {
  // The endpoint verifies each delivery once and stores it; the inbox hands it to Probot's `receive`
  // (Probot's own middleware would read the body again and verify a second time).
  const outcomes: DeliveryOutcomes = new Map();
  await probot.load(createDevflowApp(deps, { inbox: { outcomes, configCache: { prisma: deps.prisma } } }), {
    cwd: process.cwd(),
    addHandler: () => {},
  });
  let effects: { stop(): Promise<void> } | undefined;
  let sweep: { stop(): void } | undefined;
  let inbox: InboxProcessor | undefined;
  const store = openDeliveryStore(options.databaseUrl);
  const webhookEndpoint = createWebhookEndpoint({
    secret,
    accept: async (event) => {
      if ((await storeDelivery(deps, event, store)) === "fresh") inbox?.wake();
    },
    log: deps.log,
  });
  const load = createAcknowledgementLoad();
  return {
    probot,
    async endpoint(request, response) {
      const handled = await webhookEndpoint(request, response);
      if (handled) load.acknowledged();
      return handled;
    },
    gitAuthHeader: (run) => gitAuthHeaderFor(probot, run),
    startEffects(effectDeps) {
      inbox ??= startInboxProcessor({
        connectionString: options.databaseUrl,
        log: effectDeps.log,
        ...(options.inboxConcurrency ? { concurrency: options.inboxConcurrency } : {}),
        acknowledgements: load,
        failedForGood: async (delivery, attempts) => {
          await noticeFailedDelivery(effectDeps.prisma, delivery, attempts);
        },
        process: async (delivery) => {
          await probot.receive(delivery as Parameters<Probot["receive"]>[0]);
          const outcome = outcomes.get(delivery.id);
          outcomes.delete(delivery.id);
          const action = typeof delivery.payload.action === "string" ? `.${delivery.payload.action}` : "";
          return outcome ?? `ignored: devflow does not act on ${delivery.name}${action}`;
        },
      });
      sweep ??= startRedeliverySweep({ probot, prisma: effectDeps.prisma, log: effectDeps.log });
      effects ??= startEffectsWorker({
        prisma: effectDeps.prisma,
        octokitFor: (installationId) => probot.auth(installationId),
        log: effectDeps.log,
        ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
        acknowledgements: load,
        settleSeconds: effectDeps.serverConfig.github.settleSeconds,
      });
    },
    async stop() {
      sweep?.stop();
      await inbox?.stop();
      await effects?.stop();
      await store.close();
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
