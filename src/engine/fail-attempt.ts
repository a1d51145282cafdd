// A phase attempt that failed: closed with its code and reason, and the phase's next attempt opened —
// or the run failed when the phase has used all its attempts. The one place this is decided, for the
// worker that saw the attempt fail and for start-up recovery alike.
import type { Prisma } from "../db/index.js";
import type { WorkflowPhase } from "../registry/index.js";
import { boundedReason } from "./failure-reason.js";
import type { NewRunEvent } from "./run-events.js";
import { failRun, moveToPhase, type RunRef } from "./run-moves.js";
import type { WorkerContext } from "./worker-context.js";

type Tx = Prisma.TransactionClient;

export interface AttemptFailure {
  run: RunRef;
  phase: WorkflowPhase;
  attempt: { id: string; attempt: number };
  /** A stable snake_case code (e.g. `session_lost`, `artifact_timeout`). */
  code: string;
  /** What happened, in words; bounded before it is stored. */
  reason: string;
  /** Events that come before `phase.failed` (e.g. recovery's `session.failed`). */
  events?: NewRunEvent[];
  /** Another attempt cannot help (a tampered repository): the run fails now, with this code and reason. */
  failsRun?: boolean;
}

/** The reason a lost session costs an attempt, the same wherever the loss is noticed. */
export const SESSION_LOST_REASON =
  "The agent session was lost with its worker; continuing from the last checkpoint.";

/**
 * In the caller's transaction: closes the attempt while it is still running and moves the run on.
 * The run's new version, or undefined when the attempt was already closed or the run moved.
 */
export async function closeFailedAttempt(
  tx: Tx,
  failure: AttemptFailure,
  finishedAt: Date = new Date(),
): Promise<number | undefined> {
  const { run, phase, attempt, code } = failure;
  const reason = boundedReason(failure.reason);
  const claimed = await tx.phaseAttempt.updateMany({
    where: { id: attempt.id, state: "running" },
    data: { state: "failed", finishedAt, failureCode: code, failureReason: reason },
  });
  if (claimed.count === 0) return undefined;
  const events: NewRunEvent[] = [
    ...(failure.events ?? []),
    { type: "phase.failed", payload: { phaseKey: phase.key, attempt: attempt.attempt, code, reason } },
  ];
  if (failure.failsRun) return failRun(tx, run, { code, reason, events });
  return moveToPhase(tx, run, phase, { events });
}

/** The worker's way: the run's sessions stopped first, then the attempt closed in one transaction. */
export async function failAttempt(context: WorkerContext, failure: AttemptFailure): Promise<void> {
  // A fresh attempt gets a fresh session: the old one may still be busy with the lost prompt. Stopped
  // first (an agent ignoring SIGTERM takes the grace period), so the next attempt's clock starts after.
  const finishedAt = new Date();
  await context.sessions.stopRunSessions(failure.run.id);
  await context.prisma.$transaction((tx) => closeFailedAttempt(tx, failure, finishedAt));
}
