// The questions other layers ask about runs, answered here once: github/, action/, server/ and cli/
// never query the Run table themselves (the engine owns it).
import type { Prisma, PrismaClient } from "../db/index.js";
import { isTerminal, type RunState, TERMINAL_STATES, WORKING_STATES } from "./run-states.js";

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

/** The run, or null when there is none with this id. */
export function findRun(db: Db, runId: string) {
  return db.run.findUnique({ where: { id: runId } });
}

/** The run's state, or null when there is no such run. */
export async function runStateOf(db: Db, runId: string): Promise<RunState | null> {
  const run = await db.run.findUnique({ where: { id: runId }, select: { state: true } });
  return run?.state ?? null;
}

/** Where a run lives on GitHub (who may read it is asked there), or null when there is no such run. */
export function runLocation(db: Db, runId: string) {
  return db.run.findUnique({ where: { id: runId }, select: { repository: true, installationId: true } });
}

/** Whether a run with exactly this id exists. */
export async function runExists(db: Db, runId: string): Promise<boolean> {
  return (await db.run.findUnique({ where: { id: runId }, select: { id: true } })) !== null;
}

/** Up to `limit` run ids starting with `prefix` (lower-case hex and dashes), newest first. */
export async function runIdsStartingWith(db: Db, prefix: string, limit: number): Promise<string[]> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    SELECT id::text AS id FROM "Run" WHERE id::text LIKE ${`${prefix}%`} ORDER BY "createdAt" DESC LIMIT ${limit}`;
  return rows.map((row) => row.id);
}

/** The most recent runs, newest first: what a person scans to find one. */
export function recentRuns(db: Db, limit: number) {
  return db.run.findMany({
    orderBy: { createdAt: "desc" },
    take: limit,
    select: {
      id: true,
      state: true,
      title: true,
      repository: true,
      currentPhaseKey: true,
      createdAt: true,
      updatedAt: true,
    },
  });
}

/** These runs, oldest first, each with the gate it waits at (if any). */
export async function runsWithPendingGate(db: Db, runIds: readonly string[]) {
  const runs = await db.run.findMany({
    where: { id: { in: [...runIds] } },
    include: { approvalRequests: { where: { state: "pending" }, select: { gateKey: true } } },
    orderBy: { createdAt: "asc" },
  });
  return runs.map(({ approvalRequests, ...run }) => ({ ...run, waitingFor: approvalRequests[0]?.gateKey }));
}

/** The distinct repositories with runs, each with its newest run's installation. */
export function repositoriesWithRuns(
  db: Db,
): Promise<{ repository: string; installationId: bigint | null }[]> {
  return db.$queryRaw`
    SELECT DISTINCT ON (repository) repository, "installationId" FROM "Run" ORDER BY repository, "createdAt" DESC`;
}

/** The newest attempt of a phase of the run, if it has started one. */
export function latestAttemptOf(db: Db, runId: string, phaseKey: string) {
  return db.phaseAttempt.findFirst({ where: { runId, phaseKey }, orderBy: { attempt: "desc" } });
}

/** The newest checkpoint of the run: its last succeeded attempt's commit (on refs/devflow/runs/<id>). */
export async function latestCheckpointOf(db: Db, runId: string): Promise<string | undefined> {
  const attempt = await db.phaseAttempt.findFirst({
    where: { runId, state: "succeeded", checkpointSha: { not: null } },
    orderBy: { finishedAt: "desc" },
    select: { checkpointSha: true },
  });
  return attempt?.checkpointSha ?? undefined;
}
