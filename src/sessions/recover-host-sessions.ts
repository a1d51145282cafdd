// Start-up recovery of one host's sessions (DESIGN §7 items 1, 7, 8). Sessions of terminal runs are
// left alone. A live session is resumed (transient failures retried). One that cannot be resumed
// becomes FAILED_NEEDS_HUMAN; its run then continues from its last checkpoint as a new attempt of the
// interrupted phase when it has attempts left, and is paused behind `session_recovery_required`
// otherwise — never failed silently, never lost.
import type { PrismaClient } from "../db/generated/client.js";
import { markSessionFailed, pauseForSessionRecovery } from "../engine/pause-for-recovery.js";
import { appendRunEvents } from "../engine/run-events.js";
import { moveToPhase } from "../engine/run-moves.js";
import { isTerminal } from "../engine/run-states.js";
import { findPhase, readDefinition } from "../engine/template-plan.js";
import { isDevflowError } from "../errors/index.js";
import type { SessionAdapter, SessionHandle } from "./session-adapter.js";
import { handleOf, type SessionRow } from "./session-row.js";

export interface SessionRecovery {
  recoveredSessionIds: string[];
  failedSessionIds: string[];
  /** Runs given a new attempt of their interrupted phase (the worker queues them). */
  continuedRunIds: string[];
  /** Runs paused behind `session_recovery_required`. */
  pausedRunIds: string[];
}

export interface RecoverHostSessionsOptions {
  prisma: PrismaClient;
  hostId: string;
  /** The adapter that runs an agent (by the name recorded on its session). */
  adapterOf: (agent: string) => SessionAdapter;
  resumeAttempts: number;
  onResumed: (handle: SessionHandle, agent: string) => void;
  /**
   * Whether a valid artifact was already written for the run's attempt: then the attempt is not lost
   * with its session, and the worker accepts the artifact when it advances the run.
   */
  hasWrittenArtifact?: WrittenArtifactCheck;
}

export type WrittenArtifactCheck = (
  run: { id: string; template: { definition: unknown } },
  phaseKey: string,
  attempt: number,
) => Promise<boolean>;

async function tryResume(adapter: SessionAdapter, row: SessionRow, attempts: number) {
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      return { handle: await adapter.resume(handleOf(row)) };
    } catch (error) {
      lastError = error;
      // Only a recoverable failure is worth another try; a crashed session stays crashed.
      if (isDevflowError(error) && error.class !== "recoverable") break;
    }
  }
  return { error: lastError };
}

export async function recoverHostSessions(options: RecoverHostSessionsOptions): Promise<SessionRecovery> {
  const { prisma } = options;
  const result: SessionRecovery = {
    recoveredSessionIds: [],
    failedSessionIds: [],
    continuedRunIds: [],
    pausedRunIds: [],
  };
  const rows = await prisma.session.findMany({
    where: { hostId: options.hostId, state: { in: ["CREATED", "READY", "BUSY"] } },
    include: { run: { include: { template: true } } },
    orderBy: { createdAt: "asc" },
  });
  for (const row of rows) {
    if (isTerminal(row.run.state)) continue;
    const resumed = await tryResume(options.adapterOf(row.agent), row, options.resumeAttempts);
    if (resumed.handle) {
      await prisma.session.update({ where: { id: row.id }, data: { state: "READY" } });
      options.onResumed(resumed.handle, row.agent);
      result.recoveredSessionIds.push(row.id);
      continue;
    }
    const reason =
      resumed.error instanceof Error ? resumed.error.message : "the session could not be resumed";
    const outcome = await prisma.$transaction(async (tx) => {
      const run = await tx.run.findUniqueOrThrow({ where: { id: row.runId }, include: { template: true } });
      const failed = await markSessionFailed(tx, { id: row.id, roleId: row.roleId, reason }, 1);
      const continued = await continueFromCheckpoint(tx, run, failed, options.hasWrittenArtifact);
      if (continued) return "continued" as const;
      const paused = await pauseForSessionRecovery(
        tx,
        run,
        [failed],
        `Session ${row.id} (${row.roleId}) could not be resumed: ${reason}`,
      );
      return paused ? ("paused" as const) : ("unchanged" as const);
    });
    result.failedSessionIds.push(row.id);
    if (outcome === "continued") result.continuedRunIds.push(row.runId);
    if (outcome === "paused") result.pausedRunIds.push(row.runId);
  }
  return result;
}

type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];
type RunRow = Awaited<ReturnType<Tx["run"]["findUniqueOrThrow"]>> & { template: { definition: unknown } };

/** A new attempt of the run's current phase, when it is executing one and has attempts left. */
async function continueFromCheckpoint(
  tx: Tx,
  run: RunRow,
  failed: { type: "session.failed"; payload: Record<string, unknown> },
  hasWrittenArtifact?: WrittenArtifactCheck,
) {
  if (run.state !== "executing" || !run.currentPhaseKey) return false;
  const template = readDefinition(run.template.definition);
  if (!template.phases?.some((phase) => phase.key === run.currentPhaseKey)) return false;
  const phase = findPhase(template, run.currentPhaseKey);
  const running = await tx.phaseAttempt.findFirst({
    where: { runId: run.id, phaseKey: phase.key },
    orderBy: { attempt: "desc" },
  });
  if (running?.state === "running" && (await hasWrittenArtifact?.(run, phase.key, running.attempt))) {
    await appendRunEvents(tx, run.id, [failed]);
    return true; // the attempt stays running: the worker accepts its artifact
  }
  if (!running || running.attempt >= phase.maxAttempts) return false;
  await tx.phaseAttempt.update({
    where: { id: running.id },
    data: {
      state: "failed",
      finishedAt: new Date(),
      failureCode: "session_lost",
      failureReason: "The agent session was lost with its worker; continuing from the last checkpoint.",
    },
  });
  const version = await moveToPhase(tx, run, phase, {
    events: [
      failed,
      {
        type: "phase.failed",
        payload: { phaseKey: phase.key, attempt: running.attempt, code: "session_lost" },
      },
    ],
  });
  return version !== undefined;
}
