// A BullMQ worker can stay connected yet take no job (reported after Redis failovers); the watchdog
// replaces it when jobs wait while it idles past its grace period.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createQueue,
  createWorker,
  type DevflowWorker,
  prepareQueueBackend,
} from "../../src/queue/queue-connection.js";
import { startWorkerWatchdog } from "../../src/queue/worker-watchdog.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

describe("the worker watchdog", () => {
  it("replaces a worker that takes no job while jobs wait, and the new one takes them", async () => {
    const connection = { backend: "postgres" as const, connectionString: db.url };
    await prepareQueueBackend(connection);
    const name = `watchdog-${randomUUID()}`;
    const queue = createQueue<{ n: number }>(connection, name);
    const done: number[] = [];
    const process = async (job: { data: { n: number } }) => {
      done.push(job.data.n);
    };
    // A stuck worker: connected, but paused so it never takes a job.
    let worker: DevflowWorker<{ n: number }, void> = createWorker(connection, name, process);
    await worker.pause(true);
    const stuck = worker;
    let replaced = 0;
    let lastTakenAt = 0; // never: the stuck worker took nothing
    const stop = startWorkerWatchdog({
      waiting: () => queue.getWaitingCount(),
      active: () => 0,
      lastTakenAt: () => lastTakenAt,
      // A replacement gets this long to take the job before it would be judged stuck in its turn.
      idleGraceMs: 5_000,
      intervalMs: 100,
      replace: async () => {
        replaced += 1;
        lastTakenAt = Date.now();
        worker = createWorker(connection, name, process);
        await stuck.close(true);
      },
    });
    try {
      await queue.add("job", { n: 1 }, { removeOnComplete: true });
      await expect.poll(() => done, { timeout: 10_000 }).toEqual([1]);
      expect(replaced).toBe(1);
    } finally {
      stop();
      await worker.close();
      await queue.close();
    }
  });

  it("leaves a busy or recently active worker alone", async () => {
    let replaced = 0;
    const stop = startWorkerWatchdog({
      waiting: async () => 5,
      active: () => 1,
      lastTakenAt: () => 0,
      idleGraceMs: 10,
      intervalMs: 20,
      replace: async () => {
        replaced += 1;
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 150));
    stop();
    expect(replaced).toBe(0);
  });
});
