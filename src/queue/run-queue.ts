// The run queue only delivers "advance run R" (Postgres holds everything else). Job ids are derived from
// the run and its version, so the same advance is never queued twice while one is waiting or active.

import type { Job } from "bullmq";
import type { AdvanceQueue } from "./advance-queue.js";
import type { QueueConnection } from "./queue-connection.js";
import { createQueue, createWorker, type DevflowQueue, type DevflowWorker } from "./queue-connection.js";

export const RUN_QUEUE_NAME = "devflow-runs";

export interface AdvanceJob {
  runId: string;
  /** The run version this job was queued for (informational: the worker always reads the run afresh). */
  version: number;
}

/**
 * Valid for BullMQ: no ":" and never all digits. `tag` makes a distinct job for the same version — used
 * when a restarted host takes back its runs while the dead process's job still holds the plain id.
 */
export function advanceJobId(runId: string, version: number, tag?: string): string {
  return `advance-${runId}-v${version}${tag ? `-${tag}` : ""}`;
}

export class RunQueue implements AdvanceQueue {
  readonly queue: DevflowQueue<AdvanceJob>;

  constructor(connection: QueueConnection) {
    this.queue = createQueue<AdvanceJob>(connection, RUN_QUEUE_NAME);
  }

  async enqueue(runId: string, version: number, tag?: string): Promise<void> {
    await this.queue.add(
      "advance",
      { runId, version },
      {
        jobId: advanceJobId(runId, version, tag),
        // Completed and failed jobs free their id; Postgres keeps the history that matters.
        removeOnComplete: true,
        removeOnFail: true,
        attempts: 5,
        backoff: { type: "exponential", delay: 500 },
      },
    );
  }

  /** Jobs waiting, delayed or running: a parked run holds none. */
  async heldJobs(): Promise<number> {
    const counts = await this.queue.getJobCounts(
      "waiting",
      "active",
      "delayed",
      "prioritized",
      "waiting-children",
    );
    return Object.values(counts).reduce((sum, n) => sum + n, 0);
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}

export function createRunWorker(
  connection: QueueConnection,
  process: (job: Job<AdvanceJob, void>) => Promise<void>,
  concurrency: number,
): DevflowWorker<AdvanceJob, void> {
  return createWorker<AdvanceJob, void>(connection, RUN_QUEUE_NAME, process, { concurrency });
}
