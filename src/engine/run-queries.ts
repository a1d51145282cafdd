// The questions other layers ask about runs, answered here once: github/, action/, server/ and cli/
// never query the Run table themselves (the engine owns it).
import type { Prisma, PrismaClient } from "../db/generated/client.js";
import { isTerminal, TERMINAL_STATES, WORKING_STATES } from "./run-states.js";

type Db = PrismaClient | Prisma.TransactionClient;

export interface RunsNeedingWorkerFilter {
  repository?: string;
  /** Only the runs this host last advanced (a restarted worker takes them back at once). */
  hostId?: string;
  /** Also terminal runs whose final report a crash left unwritten (default true). */
  unreported?: boolean;
}

/** Runs a worker must move on, oldest first: working states, and terminal runs still owing a report. */
export function runsNeedingWorker(
  db: Db,
  filter: RunsNeedingWorkerFilter = {},
): Promise<{ id: string; version: number }[]> {
  const needs: Prisma.RunWhereInput[] = [{ state: { in: [...WORKING_STATES] } }];
  if (filter.unreported ?? true) needs.push({ state: { in: [...TERMINAL_STATES] }, reportWrittenAt: null });
  return db.run.findMany({
    where: {
      OR: needs,
      ...(filter.repository ? { repository: filter.repository } : {}),
      ...(filter.hostId ? { hostId: filter.hostId } : {}),
    },
    select: { id: true, version: true },
    orderBy: { createdAt: "asc" },
  });
}

/** Runs a host has active (preparing or executing): what its concurrency cap counts. */
export function countActiveRuns(db: Db, hostId: string): Promise<number> {
  return db.run.count({ where: { hostId, state: { in: ["preparing", "executing"] } } });
}

/** Queued runs, oldest first: what a host takes on when one of its slots frees. */
export function queuedRuns(db: Db, take: number): Promise<{ id: string; version: number }[]> {
  return db.run.findMany({
    take,
    where: { state: "queued" },
    select: { id: true, version: true },
    orderBy: { createdAt: "asc" },
  });
}

const onItem = (repository: string, number: number): Prisma.RunWhereInput => ({
  repository,
  OR: [{ issueNumber: number }, { pullRequestNumber: number }],
});

/** The run of an issue or its PR that has not ended, if any. */
export function activeRunOf(db: Db, repository: string, number: number) {
  return db.run.findFirst({
    where: { ...onItem(repository, number), state: { notIn: [...TERMINAL_STATES] } },
    orderBy: { createdAt: "desc" },
  });
}

/** The newest run of an issue or its PR, ended or not. */
export function latestRunOf(db: Db, repository: string, number: number) {
  return db.run.findFirst({ where: onItem(repository, number), orderBy: { createdAt: "desc" } });
}

/** The run a check run belongs to: by its current check run id, or by the run id it carries. */
export function runOfCheckRun(db: Db, repository: string, checkRunId: number, runId: string | undefined) {
  return db.run.findFirst({
    where: {
      repository,
      OR: [{ checkRunId: BigInt(checkRunId) }, ...(runId ? [{ id: runId }] : [])],
    },
  });
}

/** Whether the run exists and has ended (completed, failed or aborted). */
export async function runHasEnded(db: Db, runId: string): Promise<boolean> {
  const run = await db.run.findUnique({ where: { id: runId }, select: { state: true } });
  return run !== null && isTerminal(run.state);
}
