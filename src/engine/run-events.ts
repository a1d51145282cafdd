import type { Prisma, PrismaClient } from "../db/index.js";

export type RunEventType =
  | "run.created"
  | "run.started"
  | "run.prepared"
  | "phase.started"
  | "phase.failed"
  | "phase.completed"
  | "session.started"
  | "session.resumed"
  | "session.failed"
  | "sandbox.failed"
  | "prompt.sent"
  | "artifact.expected"
  | "artifact.accepted"
  | "artifact.rejected"
  | "checkpoint.pushed"
  | "approval.requested"
  | "approval.decided"
  | "approval.superseded"
  | "run.paused"
  | "run.resumed"
  | "run.completed"
  | "run.failed"
  | "run.aborted"
  | "report.written"
  | "budget.exceeded"
  | "budget.raised";

export interface NewRunEvent {
  type: RunEventType;
  payload?: Record<string, unknown>;
}

type Tx = Prisma.TransactionClient;

/**
 * Appends events with gap-free, per-run `seq`s. The seqs come from `Run.nextEventSeq`, incremented in
 * the same transaction: the row lock serializes appenders, and a rolled-back transaction gives its
 * numbers back, so there is never a gap.
 */
export async function appendRunEvents(
  tx: Tx,
  runId: string,
  events: readonly NewRunEvent[],
): Promise<number[]> {
  if (events.length === 0) return [];
  const run = await tx.run.update({
    where: { id: runId },
    data: { nextEventSeq: { increment: events.length } },
    select: { nextEventSeq: true },
  });
  const first = run.nextEventSeq - events.length;
  const seqs = events.map((_, index) => first + index);
  await tx.runEvent.createMany({
    data: events.map((event, index) => ({
      runId,
      seq: first + index,
      type: event.type,
      payload: (event.payload ?? {}) as Prisma.InputJsonValue,
    })),
  });
  return seqs;
}

/** The run's events after `seq`, in order: what a follower has not shown yet. */
export function runEventsAfter(db: PrismaClient | Tx, runId: string, seq: number) {
  return db.runEvent.findMany({ where: { runId, seq: { gt: seq } }, orderBy: { seq: "asc" } });
}
