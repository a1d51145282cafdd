// Start-up recovery, the engine's part (DESIGN §7 items 1 and 8): for each session the SessionManager
// could not resume, one transaction marks it FAILED_NEEDS_HUMAN and decides its run — a new attempt of
// the interrupted phase from the last checkpoint when the phase has attempts left, otherwise a pause
// behind `session_recovery_required`. Never failed silently, never lost. An attempt whose valid artifact
// was already written (the agent finished while its worker was gone) is not lost with its session: it
// stays running, and the worker accepts the artifact when it advances the run.
import type { PrismaClient } from "../db/index.js";
import type { HostSessionsReport } from "../sessions/index.js";
import { closeFailedAttempt, SESSION_LOST_REASON } from "./fail-attempt.js";
import { markSessionFailed, pauseForSessionRecovery } from "./pause-for-recovery.js";
import { appendRunEvents, type NewRunEvent } from "./run-events.js";
import type { RunRef } from "./run-moves.js";
import { findPhase, readDefinition } from "./template-plan.js";
import { validWrittenArtifact } from "./written-artifact.js";

/** Where a written artifact is looked for, and how it is judged (as the phase itself would). */
export type ArtifactJudge = Parameters<typeof validWrittenArtifact>[0];

export interface SessionRecovery {
  recoveredSessionIds: string[];
  failedSessionIds: string[];
  /** Runs given a new attempt of their interrupted phase (the worker queues them). */
  continuedRunIds: string[];
  /** Runs paused behind `session_recovery_required`. */
  pausedRunIds: string[];
}

export async function recoverRunsOfFailedSessions(
  prisma: PrismaClient,
  report: HostSessionsReport,
  artifacts: ArtifactJudge,
): Promise<SessionRecovery> {
  const result: SessionRecovery = {
    recoveredSessionIds: [...report.recoveredSessionIds],
    failedSessionIds: [],
    continuedRunIds: [],
    pausedRunIds: [],
  };
  for (const session of report.failedSessions) {
    const outcome = await prisma.$transaction(async (tx) => {
      const run = await tx.run.findUniqueOrThrow({
        where: { id: session.runId },
        include: { template: true },
      });
      const failed = await markSessionFailed(tx, session, 1);
      if (await continueFromCheckpoint(tx, run, failed, artifacts)) return "continued" as const;
      const why = `Session ${session.id} (${session.roleId}) could not be resumed: ${session.reason}`;
      return (await pauseForSessionRecovery(tx, run, [failed], why))
        ? ("paused" as const)
        : ("unchanged" as const);
    });
    result.failedSessionIds.push(session.id);
    if (outcome === "continued") result.continuedRunIds.push(session.runId);
    if (outcome === "paused") result.pausedRunIds.push(session.runId);
  }
  return result;
}

type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];

/** A new attempt of the run's current phase, when it is executing one and has attempts left. */
async function continueFromCheckpoint(
  tx: Tx,
  run: RunRef & { currentPhaseKey: string | null; template: { definition: unknown } },
  failed: NewRunEvent,
  artifacts: ArtifactJudge,
): Promise<boolean> {
  if (run.state !== "executing" || !run.currentPhaseKey) return false;
  const template = readDefinition(run.template.definition);
  if (!template.phases?.some((phase) => phase.key === run.currentPhaseKey)) return false;
  const phase = findPhase(template, run.currentPhaseKey);
  const running = await tx.phaseAttempt.findFirst({
    where: { runId: run.id, phaseKey: phase.key },
    orderBy: { attempt: "desc" },
  });
  if (
    running?.state === "running" &&
    (await validWrittenArtifact(artifacts, run, phase.key, running.attempt))
  ) {
    await appendRunEvents(tx, run.id, [failed]);
    return true; // the attempt stays running: the worker accepts its artifact
  }
  if (!running || running.attempt >= phase.maxAttempts) return false;
  const version = await closeFailedAttempt(tx, {
    run,
    phase,
    attempt: running,
    code: "session_lost",
    reason: SESSION_LOST_REASON,
    events: [failed],
  });
  return version !== undefined;
}
