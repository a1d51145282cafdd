// What other layers ask about the outbox without delivering it: when a repository's next pending effect
// falls due, how its effects stand, and the backlog per installation.
import type { Prisma, PrismaClient } from "../db/index.js";

type Db = PrismaClient | Prisma.TransactionClient;

function ofRepository(repository: string): Prisma.OutboxEffectWhereInput {
  return { OR: [{ payload: { path: ["repository"], equals: repository } }, { run: { repository } }] };
}

export interface RepositoryEffectCounts {
  /** Delivered since `since`. */
  delivered: number;
  /** Still pending. */
  pending: number;
  /** Created since `since` and failed for good. */
  failed: number;
  /** Pending or failed with an error that contains `errorContains`. */
  withError: number;
}

/** How the repository's effects stand, counted from `since`. */
export async function countRepositoryEffects(
  db: Db,
  repository: string,
  since: Date,
  errorContains: string,
): Promise<RepositoryEffectCounts> {
  const count = (where: Prisma.OutboxEffectWhereInput) =>
    db.outboxEffect.count({ where: { ...where, ...ofRepository(repository) } });
  return {
    delivered: await count({ state: "delivered", deliveredAt: { gte: since } }),
    pending: await count({ state: "pending" }),
    failed: await count({ state: "failed", createdAt: { gte: since } }),
    withError: await count({ state: { in: ["pending", "failed"] }, lastError: { contains: errorContains } }),
  };
}

/** Pending effects per GitHub App installation (null: effects without one). */
export async function pendingEffectsByInstallation(
  db: Db,
): Promise<{ installationId: bigint | null; count: number }[]> {
  const rows = await db.outboxEffect.groupBy({
    by: ["installationId"],
    where: { state: "pending" },
    _count: { _all: true },
  });
  return rows.map((row) => ({ installationId: row.installationId, count: row._count._all }));
}
