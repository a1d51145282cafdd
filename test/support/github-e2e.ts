// devflow's web and worker as separate processes against the GitHub simulator (GitHub Enterprise mode,
// so Probot's GHE_HOST/GHE_PROTOCOL are exercised too), with git over the simulator's HTTP.
import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import type { PrismaClient } from "../../src/db/generated/client.js";
import { findFreePort } from "../../src/server/free-port.js";
import { type GitHubSimulator, startGitHubSimulator } from "../github-sim/index.js";
import { type DevflowProcess, spawnDevflow, waitForHealthy } from "./devflow-process.js";

export const APP_ID = 777;
export const WEBHOOK_SECRET = "e2e-webhook-secret";

export interface GitHubE2E {
  sim: GitHubSimulator;
  /** The App's private key (PEM), for tests that talk to the simulator as the App. */
  privateKey: string;
  web: DevflowProcess;
  worker: DevflowProcess;
  /**
   * Delivers without waiting for the web process to process the delivery (`sim.webhooks.deliver`
   * waits for that here, as tests of what a delivery did need: the endpoint answers once it is stored).
   */
  deliverStored: GitHubSimulator["webhooks"]["deliver"];
  /** Starts the web process again on its port (after a test killed it); `web` is the new one. */
  restartWeb(): Promise<DevflowProcess>;
  webhookUrl: string;
  stop(): Promise<void>;
}

export async function startGitHubE2E(options: {
  databaseUrl: string;
  dataDir: string;
  agentDelayMs?: number;
  /** Default e2e-webhook-secret. */
  webhookSecret?: string;
  /** The server config's `agents:` section and `defaultAgent` (default: the fake agent). */
  agentsYaml?: string;
  /** More of the server config file (YAML lines), e.g. `github: { settleSeconds: 60 }`. */
  extraConfig?: string;
  /** More environment for both processes (e.g. REDIS_URL). */
  env?: Record<string, string>;
  /** Runs once the simulator is up, before devflow starts (e.g. to save the App's OAuth client). */
  beforeStart?: (sim: GitHubSimulator) => void | Promise<void>;
}): Promise<GitHubE2E> {
  const webhookSecret = options.webhookSecret ?? WEBHOOK_SECRET;
  const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({
    type: "pkcs8",
    format: "pem",
  }) as string;
  const sim = await startGitHubSimulator({
    appId: APP_ID,
    privateKey,
    webhookSecret,
    ghe: true,
  });
  mkdirSync(options.dataDir, { recursive: true });
  await options.beforeStart?.(sim);
  const configPath = join(options.dataDir, "devflow.yml");
  writeFileSync(
    configPath,
    `${options.agentsYaml ?? `agents:\n  fake: { preset: fake, writeDelayMs: ${options.agentDelayMs ?? 50} }\n`}engine: { reconcileEverySeconds: 1 }\n${options.extraConfig ?? ""}`,
  );
  const env = (port: number, role: string) => ({
    PORT: String(port),
    HOST: "127.0.0.1",
    DATABASE_URL: options.databaseUrl,
    APP_ID: String(APP_ID),
    PRIVATE_KEY: privateKey,
    WEBHOOK_SECRET: webhookSecret,
    GHE_HOST: sim.gheHost,
    GHE_PROTOCOL: "http",
    DEVFLOW_DATA_DIR: join(options.dataDir, role),
    DEVFLOW_CONFIG: configPath,
    DEVFLOW_HOST_ID: `e2e-${role}`,
    LOG_LEVEL: "warn",
    ...options.env,
  });
  const webPort = await findFreePort();
  let web = spawnDevflow(["start", "web"], env(webPort, "web"));
  await waitForHealthy(webPort, web);
  const workerPort = await findFreePort();
  const worker = spawnDevflow(["start", "worker"], env(workerPort, "worker"));
  await waitForHealthy(workerPort, worker);
  const webhookUrl = `http://127.0.0.1:${webPort}/api/github/webhooks`;
  sim.webhooks.target = webhookUrl;
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 2 });
  const deliverStored = sim.webhooks.deliver.bind(sim.webhooks);
  sim.webhooks.deliver = async (event, payload, deliverOptions) => {
    const result = await deliverStored(event, payload, deliverOptions);
    if (result.status >= 200 && result.status < 300) await waitProcessed(pool, result.guid);
    return result;
  };
  return {
    sim,
    privateKey,
    get web() {
      return web;
    },
    worker,
    webhookUrl,
    deliverStored,
    async restartWeb() {
      if (web.child.exitCode === null && web.child.signalCode === null) web.child.kill("SIGTERM");
      await web.exited;
      web = spawnDevflow(["start", "web"], env(webPort, "web"));
      await waitForHealthy(webPort, web);
      return web;
    },
    async stop() {
      for (const process of [worker, web]) {
        if (process.child.exitCode === null) process.child.kill("SIGTERM");
        await process.exited;
      }
      await pool.end();
      await sim.close();
    },
  };
}

async function waitProcessed(pool: pg.Pool, guid: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await pool.query<{ processed: boolean }>(
      `SELECT "processedAt" IS NOT NULL AS processed FROM "WebhookDelivery" WHERE "deliveryId" = $1`,
      [guid],
    );
    if (rows[0]?.processed) return;
    if (Date.now() > deadline) throw new Error(`delivery ${guid} not processed within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * Waits until the web process's inbox has processed these deliveries (the endpoint answers once a
 * delivery is stored; processing follows). Resolves with their recorded outcomes.
 */
export async function processedDeliveries(
  prisma: PrismaClient,
  guids: readonly string[],
  timeoutMs = 60_000,
): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await prisma.webhookDelivery.findMany({
      where: { deliveryId: { in: [...guids] }, processedAt: { not: null } },
      select: { deliveryId: true, outcome: true },
    });
    if (rows.length === new Set(guids).size) {
      const outcomes = new Map(rows.map((row) => [row.deliveryId, row.outcome ?? ""]));
      return guids.map((guid) => outcomes.get(guid) ?? "");
    }
    if (Date.now() > deadline) throw new Error(`deliveries not processed within ${timeoutMs} ms: ${guids}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
