// Final reports as stored in Postgres (RunReport rows): read for a run's page, pruned after the
// retention the operator configured.
import type { Prisma, PrismaClient } from "../db/index.js";
import { TERMINAL_STATES } from "./run-states.js";

type Db = PrismaClient | Prisma.TransactionClient;

/** The run's stored final report, if written. */
export function storedReportOf(db: Db, runId: string) {
  return db.runReport.findUnique({ where: { runId } });
}

/** Deletes the stored reports of runs that ended before `finishedBefore`; returns how many. */
export async function pruneStoredReports(db: Db, finishedBefore: Date): Promise<number> {
  const deleted = await db.runReport.deleteMany({
    where: { run: { state: { in: [...TERMINAL_STATES] }, finishedAt: { lt: finishedBefore } } },
  });
  return deleted.count;
}
