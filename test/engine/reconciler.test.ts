// Postgres is the truth: a run whose job was lost (Redis restarted empty, a job failed after stalling)
// is queued again by the reconciler and completes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdvisoryLockPool } from "../../src/db/advisory-lock-pool.js";
import { runLockName } from "../../src/engine/advance-run.js";
import { DispatchEngine } from "../../src/engine/dispatch-engine.js";
import { reconcileRuns } from "../../src/engine/reconciler.js";
import { silentLog } from "../../src/engine/worker-context.js";
import { prepareQueueBackend } from "../../src/queue/queue-connection.js";
import { RunQueue } from "../../src/queue/run-queue.js";
import {
  createEngineHarness,
  type EngineHarness,
  queueBackends,
  waitForRunState,
} from "../support/engine-harness.js";

let harness: EngineHarness;
beforeAll(async () => {
  harness = await createEngineHarness();
});
afterAll(() => harness.cleanup());

describe.each(queueBackends())("the reconciler on $name", (backend) => {
  it("rebuilds the job of a run whose job was lost, from Postgres", async () => {
    const connection = backend.connection(harness.db);
    await prepareQueueBackend(connection);
    const queue = new RunQueue(connection);
    try {
      const web = new DispatchEngine({ prisma: harness.db.prisma, queue, log: silentLog });
      const { runId } = await web.startRun({
        repository: harness.gitRemote(),
        baseBranch: "main",
        requirements: "Lost job",
        gates: [],
      });
      await queue.queue.obliterate({ force: true }); // the queue forgets everything
      expect(await queue.heldJobs()).toBe(0);

      expect(await reconcileRuns(harness.db.prisma, queue)).toBeGreaterThanOrEqual(1);
      expect(await queue.heldJobs()).toBeGreaterThanOrEqual(1);
      await harness.worker({ queue: connection });
      await waitForRunState(harness.db, runId, "completed");
    } finally {
      await queue.close();
    }
  });
});

describe("the reconciler and runs being advanced", () => {
  // A database of its own: no worker of the tests above listens on it and takes these runs.
  let quiet: EngineHarness;
  beforeAll(async () => {
    quiet = await createEngineHarness();
  });
  afterAll(() => quiet.cleanup());

  it("queues no job for a run whose lock is held, and queues it once the lock is gone", async () => {
    const connection = queueBackends()[0]?.connection(quiet.db);
    if (!connection) throw new Error("no queue backend");
    await prepareQueueBackend(connection);
    const queue = new RunQueue(connection);
    const web = new DispatchEngine({ prisma: quiet.db.prisma, queue, log: silentLog });
    // Enough runs that some lock keys are negative, whose halves pg_locks shows unsigned.
    const runIds: string[] = [];
    for (let i = 0; i < 6; i++) {
      const { runId } = await web.startRun({
        repository: quiet.gitRemote(),
        baseBranch: "main",
        requirements: `Held ${i}`,
        gates: [],
      });
      runIds.push(runId);
    }
    // Pooled locks release with pg_advisory_unlock, at once (a closed connection frees them a moment later).
    const pool = new AdvisoryLockPool(quiet.db.url);
    const locks = await Promise.all(runIds.map((id) => pool.tryLock(runLockName(id))));
    try {
      await queue.queue.obliterate({ force: true });
      expect(await reconcileRuns(quiet.db.prisma, queue)).toBe(0);
      expect(await queue.heldJobs()).toBe(0);
      await locks[0]?.release();
      expect(await reconcileRuns(quiet.db.prisma, queue)).toBe(1);
    } finally {
      await Promise.all(locks.map((lock) => lock?.release()));
      await pool.close();
      await queue.queue.obliterate({ force: true });
      await queue.close();
    }
  });
});
