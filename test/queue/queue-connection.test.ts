// The same queue code on both BullMQ backends. The Redis half runs whenever the test run has a Redis
// (REDIS_URL or a redis-server on PATH); global-setup prints which backends a run covered.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  createQueue,
  createWorker,
  prepareQueueBackend,
  type QueueConnection,
} from "../../src/queue/queue-connection.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

const backends: { name: string; connection: () => QueueConnection }[] = [
  { name: "Postgres", connection: () => ({ backend: "postgres", connectionString: db.url }) },
];
if (inject("redisUrl"))
  backends.push({
    name: "Redis",
    connection: () => ({
      backend: "redis",
      url: inject("redisUrl"),
      prefix: `test-${randomUUID().slice(0, 8)}`,
    }),
  });

describe.each(backends)("BullMQ on $name", ({ connection }) => {
  it("delivers a job to a worker with its data, once", async () => {
    const queueConnection = connection();
    await prepareQueueBackend(queueConnection);
    const name = `test-${randomUUID()}`;
    const queue = createQueue<{ runId: string }>(queueConnection, name);
    const seen: string[] = [];
    let sentinelSeen: () => void = () => {};
    const finished = new Promise<void>((resolve) => {
      sentinelSeen = resolve;
    });
    const options = { removeOnComplete: true };
    // Added before the worker starts: the duplicate id is deduplicated while the first job waits.
    await queue.add("advance", { runId: "run-1" }, { ...options, jobId: "advance-run-1-v1" });
    await queue.add("advance", { runId: "run-1" }, { ...options, jobId: "advance-run-1-v1" });
    await queue.add("advance", { runId: "sentinel" }, { ...options, jobId: "advance-sentinel-v1" });
    const worker = createWorker<{ runId: string }, string>(queueConnection, name, async (job) => {
      seen.push(job.data.runId);
      if (job.data.runId === "sentinel") sentinelSeen();
      return "ok";
    });
    try {
      await finished; // jobs run in order at concurrency 1: a duplicate would show before the sentinel
      expect(seen).toEqual(["run-1", "sentinel"]);
    } finally {
      await worker.close();
      await queue.close();
    }
  });
});
