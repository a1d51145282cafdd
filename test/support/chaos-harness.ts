// What the chaos tests share: a database, a queue of their own (a redis-server of their own when the
// machine has one, else BullMQ on Postgres), a web-side engine to start and decide runs, worker processes.
import { randomUUID } from "node:crypto";
import { DispatchEngine } from "../../src/engine/dispatch-engine.js";
import { silentLog } from "../../src/engine/worker-context.js";
import type { QueueConnection } from "../../src/queue/queue-connection.js";
import { prepareQueueBackend } from "../../src/queue/queue-connection.js";
import { RunQueue } from "../../src/queue/run-queue.js";
import { findRedisServer, type SpawnedRedis, spawnRedisServer } from "../../src/server/redis-server.js";
import type { DevflowProcess } from "./devflow-process.js";
import type { EngineHarness } from "./engine-harness.js";
import { startWorkerProcess, type WorkerProcessOptions } from "./worker-process.js";

export interface ChaosHarness {
  queue: QueueConnection;
  redis: SpawnedRedis | undefined;
  web: DispatchEngine;
  runQueue: RunQueue;
  worker(
    options: Omit<WorkerProcessOptions, "databaseUrl" | "redisUrl" | "dataDir"> & {
      dataDir?: string;
      databaseUrl?: string;
    },
  ): Promise<DevflowProcess>;
  stop(): Promise<void>;
}

export async function createChaosHarness(
  harness: EngineHarness,
  databaseUrl = harness.db.url,
): Promise<ChaosHarness> {
  const redis = findRedisServer() ? await spawnRedisServer() : undefined;
  const queue: QueueConnection = redis
    ? { backend: "redis", url: redis.url }
    : { backend: "postgres", connectionString: databaseUrl };
  await prepareQueueBackend(queue);
  const runQueue = new RunQueue(queue);
  const workers: DevflowProcess[] = [];
  return {
    queue,
    redis,
    runQueue,
    web: new DispatchEngine({ prisma: harness.db.prisma, queue: runQueue, log: silentLog }),
    async worker(options) {
      const worker = await startWorkerProcess({
        databaseUrl,
        ...(redis ? { redisUrl: redis.url } : {}),
        dataDir: options.dataDir ?? harness.tempDir(`worker-${randomUUID().slice(0, 4)}`),
        ...options,
      });
      workers.push(worker);
      return worker;
    },
    async stop() {
      for (const worker of workers) {
        if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill("SIGKILL");
        await worker.exited;
      }
      await runQueue.close();
      await redis?.stop();
    },
  };
}

/** Every prompt.sent event's dedupKey, with how many times it was sent. */
export async function promptsSentTwice(harness: EngineHarness, runIds: string[]): Promise<string[]> {
  const events = await harness.db.prisma.runEvent.findMany({
    where: { runId: { in: runIds }, type: "prompt.sent" },
  });
  const counts = new Map<string, number>();
  for (const event of events) {
    const key = (event.payload as { dedupKey: string }).dedupKey;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].filter(([, n]) => n > 1).map(([key]) => key);
}
