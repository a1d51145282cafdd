// Starts the GitHub simulator on loopback: REST endpoints (at the root, or under /api/v3 as GitHub
// Enterprise Server serves them), git over HTTP, signed webhooks, scripted failures and a request log.
import { mkdtemp, realpath, rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { publicKeyOf } from "./app-jwt.js";
import { RateLimits } from "./auth.js";
import { OAuthState } from "./oauth.js";
import { createPayloads, type Payloads } from "./payloads.js";
import type { RoleName, UserRecord } from "./records.js";
import { Router } from "./router.js";
import { appRoutes } from "./routes/app.js";
import { checkRoutes } from "./routes/checks.js";
import { issueRoutes } from "./routes/issues.js";
import { pullRoutes } from "./routes/pulls.js";
import { repoRoutes } from "./routes/repos.js";
import { FailureScript, type ScriptedFailure } from "./script.js";
import { createRequestHandler, type LoggedRequest } from "./server.js";
import { GitHubState } from "./state.js";
import { type DeliverOptions, type DeliveryResult, WebhookSender } from "./webhooks.js";
import { createWorkflowTriggers, type WorkflowTriggers } from "./workflow-triggers.js";
import { WritePacer } from "./write-pacer.js";

export interface GitHubSimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Serve the REST API under /api/v3, as GitHub Enterprise Server does (Probot's GHE_HOST). */
  ghe?: boolean;
  appId: number;
  /** The app's slug; its bot user is `<slug>[bot]`. Default "devflow". */
  appSlug?: string;
  /** PEM of the app's private key; App JWTs are verified with its public half. */
  privateKey: string;
  webhookSecret: string;
  /** Default target of `webhooks.deliver`, e.g. http://127.0.0.1:3000/api/github/webhooks. */
  webhookUrl?: string;
  /** What each installation is granted (default: what devflow needs, see DEFAULT_PERMISSIONS). */
  installationPermissions?: Record<string, "read" | "write">;
}

export const DEFAULT_PERMISSIONS: Record<string, "read" | "write"> = {
  metadata: "read",
  contents: "write",
  issues: "write",
  pull_requests: "write",
  checks: "write",
};

export interface GitHubSimulator {
  /** The REST base URL (Probot/Octokit `baseUrl`): http://127.0.0.1:<port> or …/api/v3 in GHE mode. */
  url: string;
  /** host:port, for Probot's GHE_HOST (with GHE_PROTOCOL=http). */
  gheHost: string;
  /** The web root; clone URLs are `${webUrl}/<owner>/<repo>.git`. */
  webUrl: string;
  state: GitHubState;
  payloads: Payloads;
  /** GitHub Actions' rules for which events start a workflow (the GITHUB_TOKEN's own start none). */
  workflows: WorkflowTriggers;
  webhooks: {
    deliver(event: string, payload: unknown, options?: DeliverOptions): Promise<DeliveryResult>;
    /** Resolves when no delivery or redelivery is in flight. */
    settled(): Promise<void>;
    /** The default target (set it once the app listens). */
    target: string | undefined;
  };
  script: {
    failNext(
      method: string,
      pathPattern: string | RegExp,
      failure: ScriptedFailure,
      options?: { times?: number },
    ): void;
    /** Holds the next matching request unanswered until `release()` (see FailureScript.holdNext). */
    holdNext(method: string, pathPattern: string | RegExp): { reached: Promise<void>; release(): void };
    setPermission(repo: string, login: string, role: RoleName): void;
    addBot(login: string): UserRecord;
    clear(): void;
  };
  requests: LoggedRequest[];
  /** GitHub's pace for an installation's writes (write-pacer.ts): `writeMs`, 0 (no pacing) by default. */
  pacing: WritePacer;
  /** The user authorization flow: the default app's client id and secret, codes and user tokens. */
  oauth: OAuthState;
  close(): Promise<void>;
}

export async function startGitHubSimulator(options: GitHubSimulatorOptions): Promise<GitHubSimulator> {
  const gitRoot = await realpath(await mkdtemp(join(tmpdir(), "github-sim-")));
  const slug = options.appSlug ?? "devflow";
  const state = new GitHubState(
    join(gitRoot, "repositories"),
    { id: options.appId, slug, name: slug },
    options.installationPermissions ?? DEFAULT_PERMISSIONS,
  );
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const gheHost = `127.0.0.1:${port}`;
  const webUrl = `http://${gheHost}`;
  const url = options.ghe ? `${webUrl}/api/v3` : webUrl;
  const urls = { api: url, web: webUrl };
  const gheHeaders: Record<string, string> = options.ghe
    ? { "x-github-enterprise-host": gheHost, "x-github-enterprise-version": "3.19.0" }
    : {};
  const webhooks = new WebhookSender(state, options.webhookSecret, gheHeaders, options.webhookUrl);
  const script = new FailureScript();
  const requests: LoggedRequest[] = [];
  const oauth = new OAuthState(state);
  const pacer = new WritePacer();
  server.on(
    "request",
    createRequestHandler({
      state,
      urls,
      ghe: options.ghe ?? false,
      app: { id: options.appId, publicKey: publicKeyOf(options.privateKey) },
      router: new Router(allRoutes()),
      script,
      webhooks,
      rateLimits: new RateLimits(),
      oauth,
      log: requests,
      pacer,
    }),
  );

  return {
    url,
    gheHost,
    webUrl,
    state,
    payloads: createPayloads(state, urls),
    workflows: createWorkflowTriggers(state),
    webhooks: {
      deliver: (event, payload, deliverOptions) => webhooks.deliver(event, payload, deliverOptions),
      settled: () => webhooks.settled(),
      get target() {
        return webhooks.target;
      },
      set target(value) {
        webhooks.target = value;
      },
    },
    script: {
      failNext: (method, pattern, failure, failOptions) =>
        script.failNext(method, pattern, failure, failOptions),
      holdNext: (method, pattern) => script.holdNext(method, pattern),
      setPermission: (repo, login, role) => state.setRole(repo, login, role),
      addBot: (login) => state.addBot(login),
      clear: () => script.clear(),
    },
    requests,
    pacing: pacer,
    oauth,
    async close() {
      await webhooks.settled();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(gitRoot, { recursive: true, force: true });
    },
  };
}

/** Every route the simulator serves (each template is a path of GitHub's OpenAPI description). */
export function allRoutes() {
  return [...appRoutes, ...repoRoutes, ...issueRoutes, ...pullRoutes, ...checkRoutes];
}
