import type { Prisma, PrismaClient } from "../../db/index.js";

export interface AuditFacts {
  actor: string;
  action: string;
  source: string;
  outcome: "accepted" | "refused" | "ignored" | "failed";
  runId?: string | null;
  repository?: string | null;
  details?: Record<string, unknown>;
}

/** Every command attempt, accepted or not, leaves an audit row. */
export async function audit(db: PrismaClient | Prisma.TransactionClient, facts: AuditFacts): Promise<void> {
  await db.auditEntry.create({
    data: {
      actor: facts.actor,
      action: facts.action,
      source: facts.source,
      outcome: facts.outcome,
      runId: facts.runId ?? null,
      repository: facts.repository ?? null,
      details: (facts.details ?? {}) as Prisma.InputJsonValue,
    },
  });
}
