// Chaos (DESIGN §6): Postgres restarted mid-run. The worker's phase keeps going (the agent works on
// files), its transitions wait for the database to come back, and the run completes.
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyMigrations, createDatabaseClient, type DatabaseClient } from "../../src/db/index.js";
import { DispatchEngine } from "../../src/engine/dispatch-engine.js";
import { silentLog } from "../../src/engine/worker-context.js";
import { prepareQueueBackend, type QueueConnection } from "../../src/queue/queue-connection.js";
import { RunQueue } from "../../src/queue/run-queue.js";
import { builtinTemplatesDir, loadRegistry, storeRegistry } from "../../src/registry/index.js";
import { type EmbeddedPostgres, startEmbeddedPostgres } from "../../src/server/embedded-postgres.js";
import { findFreePort } from "../../src/server/free-port.js";
import { findRedisServer, type SpawnedRedis, spawnRedisServer } from "../../src/server/redis-server.js";
import { createGitRemote } from "../builders/git-remote.js";
import type { DevflowProcess } from "../support/devflow-process.js";
import { startWorkerProcess } from "../support/worker-process.js";

let root: string;
let postgres: EmbeddedPostgres;
let port: number;
let database: DatabaseClient;
let redis: SpawnedRedis | undefined;
let queue: QueueConnection;
let runQueue: RunQueue;
let worker: DevflowProcess | undefined;
const cleanup: string[] = [];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "devflow-pg-restart-"));
  chmodSync(root, 0o755);
  port = await findFreePort();
  postgres = await startEmbeddedPostgres({ dataDir: join(root, "data"), port });
  await applyMigrations({ connectionString: postgres.connectionString });
  database = createDatabaseClient(postgres.connectionString);
  await storeRegistry(database.prisma, await loadRegistry(builtinTemplatesDir()), { source: "builtin" });
  redis = findRedisServer() ? await spawnRedisServer() : undefined;
  queue = redis
    ? { backend: "redis", url: redis.url }
    : { backend: "postgres", connectionString: postgres.connectionString };
  await prepareQueueBackend(queue);
  runQueue = new RunQueue(queue);
});

afterAll(async () => {
  if (worker && worker.child.exitCode === null) {
    worker.child.kill("SIGKILL");
    await worker.exited;
  }
  await runQueue.close().catch(() => {});
  await database.close().catch(() => {});
  await redis?.stop();
  await postgres.stop();
  for (const dir of [root, ...cleanup]) rmSync(dir, { recursive: true, force: true });
});

async function stateOf(runId: string): Promise<string | undefined> {
  return (await database.prisma.run.findUnique({ where: { id: runId } }).catch(() => null))?.state;
}

describe("Postgres restarted mid-run", () => {
  it("costs a retry, not the run: the run completes", async () => {
    const dataDir = join(root, "worker");
    worker = await startWorkerProcess({
      databaseUrl: postgres.connectionString,
      ...(redis ? { redisUrl: redis.url } : {}),
      hostId: "restart-host",
      dataDir,
      agentDelayMs: 2_000,
    });
    const remote = createGitRemote();
    cleanup.push(...remote.cleanupDirs);
    const web = new DispatchEngine({ prisma: database.prisma, queue: runQueue, log: silentLog });
    const { runId } = await web.startRun({
      repository: remote.path,
      baseBranch: "main",
      requirements: "Outlive a restart",
      gates: [],
    });
    await expect
      .poll(() => database.prisma.runEvent.count({ where: { runId, type: "prompt.sent" } }), {
        timeout: 20_000,
      })
      .toBe(1);

    await postgres.stop();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    postgres = await startEmbeddedPostgres({ dataDir: join(root, "data"), port });

    await expect.poll(() => stateOf(runId), { timeout: 90_000, interval: 250 }).toBe("completed");
    const attempts = await database.prisma.phaseAttempt.findMany({
      where: { runId },
      orderBy: { startedAt: "asc" },
    });
    expect(attempts.map((a) => [a.phaseKey, a.state])).toEqual([
      ["spec", "succeeded"],
      ["implement", "succeeded"],
      ["review", "succeeded"],
    ]);
    expect(worker.child.exitCode).toBeNull(); // the worker lived through it
  });
});
