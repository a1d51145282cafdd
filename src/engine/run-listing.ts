// A page of runs for a person to browse (the dashboard): newest first, keyset-paginated on the createdAt
// index, filtered by repository, state, agent and a set of ids; with what the agents consumed per run.
import type { Prisma, PrismaClient, RunState } from "../db/index.js";

type Db = PrismaClient | Prisma.TransactionClient;

export interface RunPageQuery {
  /** Only runs of these repositories; undefined: every repository. */
  repositories?: readonly string[];
  state?: RunState;
  /** Only runs one of whose sessions used this agent. */
  agent?: string;
  /** Only these runs (e.g. the ones a person started, from the audit trail). */
  runIds?: readonly string[];
  /** The id to continue after (the previous page's `next`). */
  after?: string;
  pageSize: number;
}

export interface RunPage {
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
    agents: string[];
  }[];
  /** The id to continue after, when there are more runs. */
  next: string | undefined;
}

export async function runPage(db: Db, query: RunPageQuery): Promise<RunPage> {
  const where: Prisma.RunWhereInput = {};
  if (query.repositories !== undefined) where.repository = { in: [...query.repositories] };
  if (query.state) where.state = query.state;
  if (query.agent) where.sessions = { some: { agent: query.agent } };
  if (query.runIds !== undefined) where.id = { in: [...query.runIds] };
  const rows = await db.run.findMany({
    where,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: query.pageSize + 1,
    ...(query.after ? { cursor: { id: query.after }, skip: 1 } : {}),
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
  const page = rows.slice(0, query.pageSize);
  return {
    runs: page.map(({ sessions, ...run }) => ({ ...run, agents: sessions.map((session) => session.agent) })),
    next: rows.length > query.pageSize ? page.at(-1)?.id : undefined,
  };
}

/** Tokens and known cost per run, as the agents' own streams reported them. */
export async function usageTotalsOf(
  db: Db,
  runIds: readonly string[],
): Promise<Map<string, { tokens: number; costUsd: number | null }>> {
  if (runIds.length === 0) return new Map();
  const rows = await db.$queryRaw<{ runId: string; tokens: bigint; cost: string | null }[]>`
    SELECT a."runId", SUM(u."inputTokens" + u."outputTokens") AS tokens, SUM(u."costUsd")::text AS cost
    FROM "PhaseUsage" u JOIN "PhaseAttempt" a ON a.id = u."phaseAttemptId"
    WHERE a."runId" = ANY(${[...runIds]}::uuid[]) AND u.source = 'stream'
    GROUP BY a."runId"`;
  return new Map(
    rows.map((row) => [
      row.runId,
      { tokens: Number(row.tokens), costUsd: row.cost === null ? null : Number(row.cost) },
    ]),
  );
}
