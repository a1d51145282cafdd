// The dashboard's reads: a page of runs (newest first, keyset-paginated on the createdAt index, filtered
// by repository, state, agent and who started it) and what a run's page shows. Reads only.
import type { Prisma, PrismaClient, RunState } from "../db/generated/client.js";
import { runActivity } from "../engine/phase-activity.js";

export const RUN_STATES: readonly RunState[] = [
  "queued",
  "preparing",
  "executing",
  "awaiting_approval",
  "paused",
  "completed",
  "failed",
  "aborted",
];

export interface RunFilters {
  repository?: string;
  state?: RunState;
  agent?: string;
  startedBy?: string;
}

export interface RunListPage {
  runs: {
    id: string;
    repository: string;
    issueNumber: number | null;
    title: string | null;
    state: RunState;
    currentPhaseKey: string | null;
    createdAt: Date;
    startedAt: Date | null;
    finishedAt: Date | null;
    startedBy: string | undefined;
    agents: string[];
    tokens: number | undefined;
    costUsd: number | undefined;
  }[];
  /** The id to continue after, when there are more runs. */
  next: string | undefined;
}

/** Who started each run: the accepted trigger's actor, from the audit trail. */
async function startersOf(prisma: PrismaClient, runIds: string[]): Promise<Map<string, string>> {
  const rows = await prisma.auditEntry.findMany({
    where: { runId: { in: runIds }, outcome: "accepted", action: { startsWith: "trigger." } },
    select: { runId: true, actor: true },
  });
  return new Map(rows.flatMap((row) => (row.runId ? [[row.runId, row.actor] as const] : [])));
}

export async function listRuns(
  prisma: PrismaClient,
  options: {
    filters: RunFilters;
    /** Only runs of these repositories (the ones the user can read); undefined: every run. */
    visibleRepositories: readonly string[] | undefined;
    after?: string;
    pageSize?: number;
  },
): Promise<RunListPage> {
  const { filters } = options;
  const pageSize = options.pageSize ?? 50;
  const where: Prisma.RunWhereInput = {};
  const repositories = options.visibleRepositories;
  if (filters.repository !== undefined) {
    where.repository =
      repositories === undefined || repositories.includes(filters.repository)
        ? filters.repository
        : { in: [] };
  } else if (repositories !== undefined) {
    where.repository = { in: [...repositories] };
  }
  if (filters.state) where.state = filters.state;
  if (filters.agent) where.sessions = { some: { agent: filters.agent } };
  if (filters.startedBy) {
    const started = await prisma.auditEntry.findMany({
      where: { actor: filters.startedBy, outcome: "accepted", action: { startsWith: "trigger." } },
      select: { runId: true },
    });
    where.id = { in: started.flatMap((row) => (row.runId ? [row.runId] : [])) };
  }
  const rows = await prisma.run.findMany({
    where,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: pageSize + 1,
    ...(options.after ? { cursor: { id: options.after }, skip: 1 } : {}),
    select: {
      id: true,
      repository: true,
      issueNumber: true,
      title: true,
      state: true,
      currentPhaseKey: true,
      createdAt: true,
      startedAt: true,
      finishedAt: true,
      sessions: { select: { agent: true }, distinct: ["agent"] },
    },
  });
  const page = rows.slice(0, pageSize);
  const ids = page.map((run) => run.id);
  const [starters, usage] = await Promise.all([startersOf(prisma, ids), usageTotals(prisma, ids)]);
  return {
    runs: page.map(({ sessions, ...run }) => ({
      ...run,
      startedBy: starters.get(run.id),
      agents: sessions.map((session) => session.agent),
      tokens: usage.get(run.id)?.tokens,
      costUsd: usage.get(run.id)?.costUsd ?? undefined,
    })),
    next: rows.length > pageSize ? page.at(-1)?.id : undefined,
  };
}

async function usageTotals(
  prisma: PrismaClient,
  runIds: string[],
): Promise<Map<string, { tokens: number; costUsd: number | null }>> {
  if (runIds.length === 0) return new Map();
  const rows = await prisma.$queryRaw<{ runId: string; tokens: bigint; cost: string | null }[]>`
    SELECT a."runId", SUM(u."inputTokens" + u."outputTokens") AS tokens, SUM(u."costUsd")::text AS cost
    FROM "PhaseUsage" u JOIN "PhaseAttempt" a ON a.id = u."phaseAttemptId"
    WHERE a."runId" = ANY(${runIds}::uuid[]) AND u.source = 'stream'
    GROUP BY a."runId"`;
  return new Map(
    rows.map((row) => [
      row.runId,
      { tokens: Number(row.tokens), costUsd: row.cost === null ? null : Number(row.cost) },
    ]),
  );
}

/** The distinct repositories with runs, each with its installation (to ask GitHub who may read it). */
export async function repositoriesWithRuns(
  prisma: PrismaClient,
): Promise<{ repository: string; installationId: bigint | null }[]> {
  return prisma.$queryRaw`
    SELECT DISTINCT ON (repository) repository, "installationId" FROM "Run" ORDER BY repository, "createdAt" DESC`;
}

/**
 * What a run's page shows besides getRunStatus: prompts as sent, what each attempt did (agent, usage,
 * commands, diff stat), the report, who started it.
 */
export async function runExtras(prisma: PrismaClient, runId: string) {
  const [prompts, report, starters, lastChunk, activity] = await Promise.all([
    prisma.promptDelivery.findMany({ where: { runId }, orderBy: { sentAt: "asc" } }),
    prisma.runReport.findUnique({ where: { runId } }),
    startersOf(prisma, [runId]),
    prisma.transcriptChunk.findFirst({ where: { runId }, orderBy: { id: "desc" }, select: { id: true } }),
    runActivity(prisma, runId),
  ]);
  return { prompts, report, startedBy: starters.get(runId), lastChunkId: lastChunk?.id, activity };
}
