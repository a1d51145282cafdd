// Postgres is the truth, Redis is delivery: the reconciler rebuilds every job a run needs from
// Postgres, so a Redis that restarts empty (or a job that failed after stalling twice) loses nothing.
import type { PrismaClient } from "../db/generated/client.js";
import type { AdvanceQueue } from "../queue/advance-queue.js";
import { WORKING_STATES } from "./run-states.js";

/** Enqueues "advance" for every run a worker must move on (deduplicated by job id). Returns how many. */
export async function reconcileRuns(prisma: PrismaClient, queue: AdvanceQueue): Promise<number> {
  const runs = await prisma.run.findMany({
    where: {
      OR: [
        { state: { in: [...WORKING_STATES] } },
        // terminal runs whose report a crash left unwritten
        { state: { in: ["completed", "failed", "aborted"] }, reportWrittenAt: null },
      ],
    },
    select: { id: true, version: true },
  });
  for (const run of runs) await queue.enqueue(run.id, run.version);
  return runs.length;
}
