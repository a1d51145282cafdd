// The one-process server (`npm start` / `devflow start`): services, migrations, the registry and the
// health endpoint. Later issues mount the GitHub app, the workers and the effects worker here.
import { mkdirSync } from "node:fs";
import type { Environment } from "../config/environment.js";
import { applyMigrations, createDatabaseClient, type DatabaseClient } from "../db/index.js";
import { describeQueueConnection, prepareQueueBackend } from "../queue/queue-connection.js";
import { builtinTemplatesDir, loadRegistry, storeRegistry } from "../registry/index.js";
import { type HealthServer, startHealthServer } from "./health-server.js";
import type { Logger } from "./logger.js";
import { startServices } from "./services.js";

export interface RunningDevflow {
  readonly url: string;
  readonly port: number;
  /** Stops everything this process started, in reverse order; safe to call twice. */
  stop(): Promise<void>;
}

export interface StartDevflowOptions {
  env: Environment;
  logger: Logger;
}

export async function startDevflow({ env, logger }: StartDevflowOptions): Promise<RunningDevflow> {
  const startedAt = performance.now();
  const cleanups: { name: string; run: () => Promise<void> }[] = [];
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      for (const cleanup of cleanups.reverse()) {
        try {
          await cleanup.run();
        } catch (error) {
          logger.warn({ err: error, step: cleanup.name }, "shutdown step failed");
        }
      }
    })();
    return stopping;
  };

  let health: HealthServer | undefined;
  try {
    health = await startHealthServer(env.port, env.host);
    const server = health;
    cleanups.push({ name: "health server", run: () => server.close() });
    logger.info({ url: `${health.url}/healthz` }, "health endpoint listening (503 until start-up is done)");

    mkdirSync(env.dataDir, { recursive: true });
    const services = await startServices({
      databaseUrl: env.databaseUrl,
      redisUrl: env.redisUrl,
      dataDir: env.dataDir,
      withoutRedisUrl: "postgres",
      log: (line) => logger.info(line),
    });
    cleanups.push({ name: "services", run: () => services.stop() });
    logger.info({ database: services.databaseOrigin, queue: services.queueOrigin }, "services ready");

    const applied = await applyMigrations({ connectionString: services.databaseUrl });
    logger.info({ applied }, applied.length > 0 ? "database migrated" : "database schema up to date");
    await prepareQueueBackend(services.queue);

    const database: DatabaseClient = createDatabaseClient(services.databaseUrl, {
      applicationName: "devflow-web",
    });
    cleanups.push({ name: "database client", run: () => database.close() });
    const registry = await loadRegistry(builtinTemplatesDir());
    const stored = await storeRegistry(database.prisma, registry, { source: "builtin" });
    const templates = [...registry.workflows.keys()];
    logger.info({ templates, inserted: stored.inserted }, "registry loaded");

    const startupMs = Math.round(performance.now() - startedAt);
    health.setState("ready", {
      database: services.databaseOrigin,
      queue: describeQueueConnection(services.queue),
      templates,
      hostId: env.hostId,
      startupMs,
    });
    logger.info({ url: health.url, startupMs }, "devflow is ready");
    cleanups.push({ name: "mark stopping", run: async () => server.setState("stopping") });
    return { url: health.url, port: health.port, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
