// Services for the whole test run: the operator's DATABASE_URL / REDIS_URL when set, else an embedded
// Postgres and a redis-server from PATH (DESIGN §6: real services, never mocks). Prints one line saying
// what the run covers, so a missing Redis is never a silent skip.
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { startServices } from "../../src/server/services.js";
import { buildCliForTests } from "./cli-build.js";
import { prepareTemplateDatabase } from "./template-database.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** A URL of the test Postgres server (any database on it; tests swap the database name). */
    postgresServerUrl: string;
    templateDatabase: string;
    /** Redis for the Redis queue backend, or "" when none could be had. */
    redisUrl: string;
    /** The `devflow` command's entry point for child processes (test/support/cli-build.ts). */
    devflowCli: string;
  }
}

export default async function setup(project: TestProject) {
  // A data directory of this run's own, so two runs on one machine never share an embedded Postgres.
  const dataDir = await mkdtemp(join(tmpdir(), "devflow-test-"));
  await chmod(dataDir, 0o755); // the embedded Postgres runs as another user when we are root
  const services = await startServices({
    databaseUrl: process.env.DATABASE_URL,
    redisUrl: process.env.REDIS_URL,
    dataDir,
    withoutRedisUrl: "spawn-redis",
  });
  // Creating a database per test file needs a role that may: the embedded Postgres's superuser (devflow
  // itself works as a role that may not), or the operator's DATABASE_URL as given.
  const serverUrl = services.adminDatabaseUrl ?? services.databaseUrl;
  const templateDatabase = await prepareTemplateDatabase(serverUrl);
  const redisUrl = services.queue.backend === "redis" ? services.queue.url : "";
  project.provide("postgresServerUrl", serverUrl);
  project.provide("templateDatabase", templateDatabase);
  project.provide("redisUrl", redisUrl);
  const cli = await buildCliForTests();
  project.provide("devflowCli", cli.main);
  const queues = redisUrl
    ? `BullMQ on Redis (${services.queueOrigin}) and on Postgres`
    : "BullMQ on Postgres only — no Redis: set REDIS_URL or put redis-server on PATH to cover the Redis backend";
  console.log(`devflow tests: Postgres from ${services.databaseOrigin}; queue backends: ${queues}`);
  return async () => {
    await services.stop();
    await rm(dataDir, { recursive: true, force: true });
    await rm(cli.root, { recursive: true, force: true });
  };
}
