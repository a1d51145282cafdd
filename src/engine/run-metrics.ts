// The engine's numbers for /metrics, read at scrape time from Postgres so every web process reports the
// same truth: runs by state, phase attempts and their durations, and what the agents consumed.
import type { Prisma, PrismaClient } from "../db/index.js";

type Db = PrismaClient | Prisma.TransactionClient;

export async function runCountsByState(db: Db): Promise<{ state: string; count: number }[]> {
  const rows = await db.run.groupBy({ by: ["state"], _count: { _all: true } });
  return rows.map((row) => ({ state: row.state, count: row._count._all }));
}

export async function phaseAttemptCounts(db: Db): Promise<{ phase: string; state: string; count: number }[]> {
  const rows = await db.phaseAttempt.groupBy({ by: ["phaseKey", "state"], _count: { _all: true } });
  return rows.map((row) => ({ phase: row.phaseKey, state: row.state, count: row._count._all }));
}

/** Total seconds of finished phase attempts, by phase and final state. */
export function phaseDurationSums(db: Db): Promise<{ phase: string; state: string; seconds: number }[]> {
  return db.$queryRaw`
    SELECT "phaseKey" AS phase, state::text AS state,
           EXTRACT(EPOCH FROM SUM("finishedAt" - "startedAt"))::float8 AS seconds
    FROM "PhaseAttempt" WHERE "finishedAt" IS NOT NULL GROUP BY 1, 2`;
}

/** Tokens by kind and known cost in US dollars, as the agents' own streams reported them. */
export async function streamedUsageTotals(db: Db) {
  const sum = await db.phaseUsage.aggregate({
    where: { source: "stream" },
    _sum: {
      inputTokens: true,
      outputTokens: true,
      cacheReadTokens: true,
      cacheWriteTokens: true,
      costUsd: true,
    },
  });
  return {
    input: Number(sum._sum.inputTokens ?? 0n),
    output: Number(sum._sum.outputTokens ?? 0n),
    cacheRead: Number(sum._sum.cacheReadTokens ?? 0n),
    cacheWrite: Number(sum._sum.cacheWriteTokens ?? 0n),
    costUsd: sum._sum.costUsd?.toNumber() ?? 0,
  };
}

/** Sessions that failed because of their sandbox, by reason, from the runs' `sandbox.failed` events. */
export async function sandboxFailuresByReason(db: Db): Promise<{ reason: string; count: number }[]> {
  const rows = await db.$queryRaw<{ reason: string | null; count: bigint }[]>`
    SELECT payload->>'reason' AS reason, COUNT(*) AS count FROM "RunEvent"
    WHERE type = 'sandbox.failed' GROUP BY 1`;
  return rows.map((row) => ({ reason: row.reason ?? "unknown", count: Number(row.count) }));
}
