// The dashboard's reads: a page of runs (the engine's runPage, filtered also by who started it, from the
// audit trail) and what a run's page shows. Reads only.
import type { PrismaClient, RunState } from "../db/index.js";
import { type RunPage, runActivity, runPage, storedReportOf, usageTotalsOf } from "../engine/index.js";

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
  runs: (RunPage["runs"][number] & {
    startedBy: string | undefined;
    tokens: number | undefined;
    costUsd: number | undefined;
  })[];
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
  const visible = options.visibleRepositories;
  let repositories = visible;
  if (filters.repository !== undefined)
    repositories = visible === undefined || visible.includes(filters.repository) ? [filters.repository] : [];
  let runIds: string[] | undefined;
  if (filters.startedBy) {
    const started = await prisma.auditEntry.findMany({
      where: { actor: filters.startedBy, outcome: "accepted", action: { startsWith: "trigger." } },
      select: { runId: true },
    });
    runIds = started.flatMap((row) => (row.runId ? [row.runId] : []));
  }
  const page = await runPage(prisma, {
    ...(repositories !== undefined ? { repositories } : {}),
    ...(filters.state ? { state: filters.state } : {}),
    ...(filters.agent ? { agent: filters.agent } : {}),
    ...(runIds !== undefined ? { runIds } : {}),
    ...(options.after ? { after: options.after } : {}),
    pageSize: options.pageSize ?? 50,
  });
  const ids = page.runs.map((run) => run.id);
  const [starters, usage] = await Promise.all([startersOf(prisma, ids), usageTotalsOf(prisma, ids)]);
  return {
    runs: page.runs.map((run) => ({
      ...run,
      startedBy: starters.get(run.id),
      tokens: usage.get(run.id)?.tokens,
      costUsd: usage.get(run.id)?.costUsd ?? undefined,
    })),
    next: page.next,
  };
}

/**
 * What a run's page shows besides getRunStatus: prompts as sent, what each attempt did (agent, usage,
 * commands, diff stat), the report, who started it.
 */
export async function runExtras(prisma: PrismaClient, runId: string) {
  const [prompts, report, starters, lastChunk, activity] = await Promise.all([
    prisma.promptDelivery.findMany({ where: { runId }, orderBy: { sentAt: "asc" } }),
    storedReportOf(prisma, runId),
    startersOf(prisma, [runId]),
    prisma.transcriptChunk.findFirst({ where: { runId }, orderBy: { id: "desc" }, select: { id: true } }),
    runActivity(prisma, runId),
  ]);
  return { prompts, report, startedBy: starters.get(runId), lastChunkId: lastChunk?.id, activity };
}
