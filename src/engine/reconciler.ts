// Postgres is the truth, Redis is delivery: the reconciler rebuilds every job a run needs from
// Postgres, so a Redis that restarts empty (or a job that failed after stalling twice) loses nothing.

import type { PrismaClient } from "../db/index.js";
import { advisoryLockKey } from "../db/index.js";
import type { AdvanceQueue } from "../queue/index.js";
import { runLockName } from "./advance-run.js";
import { runsNeedingWorker } from "./run-queries.js";

/** Enqueues "advance" for every run a worker must move on (deduplicated by job id). Returns how many. */
export async function reconcileRuns(prisma: PrismaClient, queue: AdvanceQueue): Promise<number> {
  const runs = await runsNeedingWorker(prisma);
  // A run whose lock is held is being advanced right now, and its advancer queues what comes next; a job
  // for it would only end as locked_elsewhere. If that advancer dies, its lock goes with its connection
  // and the next pass queues the run.
  const held = runs.length > 0 ? await heldAdvisoryLockKeys(prisma) : new Set<string>();
  let queued = 0;
  for (const run of runs) {
    if (held.has(advisoryLockKey(runLockName(run.id)))) continue;
    await queue.enqueue(run.id, run.version);
    queued += 1;
  }
  return queued;
}

/** The keys of the session-level advisory locks granted in this database, as advisoryLockKey gives them. */
async function heldAdvisoryLockKeys(prisma: PrismaClient): Promise<Set<string>> {
  // A bigint advisory key shows in pg_locks as classid (high 32 bits) and objid (low 32 bits), objsubid 1.
  const rows = await prisma.$queryRaw<{ high: string; low: string }[]>`
    SELECT classid::text AS high, objid::text AS low
    FROM pg_locks
    WHERE locktype = 'advisory' AND objsubid = 1 AND granted
      AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`;
  // Put together in JS: the high half is unsigned there, and shifting it in SQL would overflow int8.
  return new Set(
    rows.map((row) => BigInt.asIntN(64, (BigInt(row.high) << 32n) | BigInt(row.low)).toString()),
  );
}
