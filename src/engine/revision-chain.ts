// A run and its revisions form a chain (DESIGN §2 "Revision"): the first run, then revision 2, 3, …,
// each linked to the first by `revisionOf`. The questions asked about a chain, answered once here.
import type { Prisma, PrismaClient } from "../db/index.js";

type Db = PrismaClient | Prisma.TransactionClient;

/** The first run of the chain a run belongs to. */
export function firstRunIdOf(run: { id: string; revisionOf: string | null }): string {
  return run.revisionOf ?? run.id;
}

/** Every run of the chain, first run first. */
export function chainWhere(firstRunId: string): Prisma.RunWhereInput {
  return { OR: [{ id: firstRunId }, { revisionOf: firstRunId }] };
}

/** The chain's runs as the sticky comment and the report list them. */
export function chainOf(db: Db, firstRunId: string) {
  return db.run.findMany({
    where: chainWhere(firstRunId),
    select: { id: true, revision: true, state: true, createdAt: true, finishedAt: true },
    orderBy: { revision: "asc" },
  });
}

/** The newest run of the chain: the only one that may be active. */
export function latestOfChain(db: Db, firstRunId: string) {
  return db.run.findFirstOrThrow({ where: chainWhere(firstRunId), orderBy: { revision: "desc" } });
}

/**
 * The newest run of the chain, its row locked for this transaction: a run that is ending waits for the
 * caller (and then sees what it recorded), or the caller waits for it (and then sees it ended, and any
 * revision its end started).
 */
export async function lockLatestOfChain(tx: Prisma.TransactionClient, firstRunId: string) {
  for (;;) {
    const seen = await latestOfChain(tx, firstRunId);
    await tx.$queryRaw`SELECT 1 FROM "Run" WHERE "id" = ${seen.id}::uuid FOR UPDATE`;
    const latest = await latestOfChain(tx, firstRunId);
    if (latest.id === seen.id) return latest;
  }
}

/** The revision that follows `run` in its chain, while it is still queued (it needs a job). */
export function queuedRevisionAfter(
  db: Db,
  run: { id: string; revisionOf: string | null; revision: number },
) {
  return db.run.findFirst({
    where: { revisionOf: firstRunIdOf(run), revision: run.revision + 1, state: "queued" },
    select: { id: true, version: true },
  });
}

/** The requests a revision took, oldest first. */
export function requestsOfRevision(db: Db, runId: string) {
  return db.revisionRequest.findMany({ where: { revisionRunId: runId }, orderBy: { createdAt: "asc" } });
}
