// Postgres is the truth: a run whose job was lost (Redis restarted empty, a job failed after stalling)
// is queued again by the reconciler and completes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
