import type { Prisma } from "../db/index.js";
import { openApprovalRequest, SESSION_RECOVERY_GATE } from "./approvals.js";
import { appendRunEvents, type NewRunEvent } from "./run-events.js";
import { pauseRun, type RunRef } from "./run-moves.js";
import { isTerminal } from "./run-states.js";

type Tx = Prisma.TransactionClient;

export interface FailedSession {
  readonly id: string;
  readonly roleId: string;
  readonly reason: string;
}

/** Marks a session that cannot be resumed as needing a human; records `session.failed`. */
export async function markSessionFailed(tx: Tx, session: FailedSession, recoveryAttempts: number) {
  await tx.session.update({
    where: { id: session.id },
    data: { state: "FAILED_NEEDS_HUMAN", recoveryAttempts: { increment: recoveryAttempts } },
  });
  return {
    type: "session.failed",
    payload: { sessionId: session.id, roleId: session.roleId, reason: session.reason },
  } satisfies NewRunEvent;
}

/**
 * Pauses a run behind a `session_recovery_required` gate, remembering the state it was in. Events in
 * order: the caller's (e.g. `session.failed`), `run.paused`, `approval.requested`. A run already
 * paused gets only the caller's events; a terminal run nothing.
 */
export async function pauseForSessionRecovery(
  tx: Tx,
  run: RunRef,
  leadingEvents: NewRunEvent[],
  reason: string,
): Promise<boolean> {
  if (isTerminal(run.state)) return false;
  if (run.state === "paused") {
    await appendRunEvents(tx, run.id, leadingEvents);
    return false;
  }
  const version = await pauseRun(tx, run, reason, leadingEvents);
  if (version === undefined) return false;
  const { event } = await openApprovalRequest(tx, {
    runId: run.id,
    gateKey: SESSION_RECOVERY_GATE,
    phaseId: null,
  });
  await appendRunEvents(tx, run.id, [event]);
  return true;
}
