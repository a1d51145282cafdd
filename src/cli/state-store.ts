// The state store every CLI command works on: the operator's DATABASE_URL / REDIS_URL when set, else the
// embedded Postgres of the data directory — shared with any other devflow process using it, so that
// `devflow approve` in one terminal decides for the `devflow run` waiting in another.
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Environment } from "../config/index.js";
import { applyMigrations, createDatabaseClient, type PrismaClient } from "../db/index.js";
import type { EngineLog } from "../engine/index.js";
import { DispatchEngine } from "../engine/index.js";
import { DevflowError } from "../errors/index.js";
import { prepareQueueBackend, RunQueue } from "../queue/index.js";
import { createLogger, type Services, startServices } from "../server/index.js";
import { checkRunIdText } from "./run-id.js";

export { resolveRunId } from "./run-id.js";

export interface StateStore {
  readonly prisma: PrismaClient;
  readonly engine: DispatchEngine;
  readonly queue: RunQueue;
  readonly services: Services;
  readonly log: EngineLog;
  close(): Promise<void>;
}

/** Logs go to stderr (stdout is the command's output); quiet unless LOG_LEVEL asks for more. */
export function cliLog(env: Environment): EngineLog {
  return createLogger(process.env.LOG_LEVEL ? env.logLevel : "warn", process.stderr);
}

/** Whether the data directory holds devflow state yet (an embedded Postgres was ever initialized). */
export function hasEmbeddedStore(env: Environment): boolean {
  return existsSync(join(env.dataDir, "postgres", "data", "PG_VERSION"));
}

/**
 * Fails with run_not_found, writing nothing, when there can be no runs at all: no DATABASE_URL and
 * no embedded Postgres in the data directory yet.
 */
export function assertStoreExistsFor(env: Environment, runId: string): void {
  checkRunIdText(runId);
  if (env.databaseUrl || hasEmbeddedStore(env)) return;
  throw new DevflowError(`No run ${runId}: there is no devflow state in ${env.dataDir} yet.`, {
    code: "run_not_found",
    recoveryHint:
      "Start a run with `devflow run`, or point DEVFLOW_DATA_DIR (or DATABASE_URL) at the state the run lives in.",
    details: { runId },
  });
}

export async function openStateStore(env: Environment): Promise<StateStore> {
  const log = cliLog(env);
  const services = await startServices({
    databaseUrl: env.databaseUrl,
    redisUrl: env.redisUrl,
    dataDir: env.dataDir,
    withoutRedisUrl: "postgres",
    embeddedWhenInUse: "share",
    log: (line) => log.info({}, line),
  });
  const cleanups: (() => Promise<void>)[] = [() => services.stop()];
  const close = async () => {
    for (const step of cleanups.reverse()) await step().catch(() => {});
  };
  try {
    await applyMigrations({ connectionString: services.databaseUrl });
    await prepareQueueBackend(services.queue);
    const database = createDatabaseClient(services.databaseUrl, {
      applicationName: "devflow-cli",
      maxConnections: 5,
    });
    cleanups.push(() => database.close());
    const queue = new RunQueue(services.queue);
    queue.queue.on("error", (error) => log.warn({ err: error.message }, "run queue connection error"));
    cleanups.push(() => queue.close());
    const engine = new DispatchEngine({ prisma: database.prisma, queue, log });
    return { prisma: database.prisma, engine, queue, services, log, close };
  } catch (error) {
    await close();
    throw error;
  }
}
