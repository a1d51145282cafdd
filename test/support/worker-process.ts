// Worker hosts as real processes (`devflow start worker`), for chaos tests that kill and restart them.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { findFreePort } from "../../src/server/free-port.js";
import { type DevflowProcess, spawnDevflow, waitForHealthy } from "./devflow-process.js";

export interface WorkerProcessOptions {
  databaseUrl: string;
  redisUrl?: string;
  hostId: string;
  dataDir: string;
  /** The fake agent's working time; it works in a detached process that outlives a killed worker. */
  agentDelayMs: number;
  maxConcurrentRuns?: number;
  /** Replaces the fake agent: YAML lines for `agents:` entries and the default agent's name. */
  agents?: { yaml: string[]; defaultAgent: string };
  /** Extra environment for the worker (e.g. variables its agents pass through). */
  env?: Record<string, string>;
}

export async function startWorkerProcess(
  options: WorkerProcessOptions,
): Promise<DevflowProcess & { port: number }> {
  mkdirSync(options.dataDir, { recursive: true });
  const configPath = join(options.dataDir, `devflow-${options.hostId}.yml`);
  writeFileSync(
    configPath,
    [
      "agents:",
      `  fake: { preset: fake, writeDelayMs: ${options.agentDelayMs} }`,
      ...(options.agents
        ? [...options.agents.yaml.map((line) => `  ${line}`), `defaultAgent: ${options.agents.defaultAgent}`]
        : []),
      `maxConcurrentRuns: ${options.maxConcurrentRuns ?? 2}`,
      "engine: { reconcileEverySeconds: 1, shutdownDrainSeconds: 5 }",
    ].join("\n"),
  );
  const port = await findFreePort();
  const worker = spawnDevflow(["start", "worker"], {
    PORT: String(port),
    HOST: "127.0.0.1",
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: options.redisUrl,
    DEVFLOW_HOST_ID: options.hostId,
    DEVFLOW_DATA_DIR: options.dataDir,
    DEVFLOW_CONFIG: configPath,
    LOG_LEVEL: "warn",
    ...options.env,
  });
  await waitForHealthy(port, worker);
  return Object.assign(worker, { port });
}
