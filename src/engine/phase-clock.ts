// The clock of a phase attempt that was opened but never prompted (the GitHub Action's one phase per
// job leaves the next phase's attempt waiting for the next job).
import type { PrismaClient } from "../db/index.js";

/**
 * A phase whose attempt an earlier job opened but left unstarted (no prompt sent) starts its clock now:
 * the time the run waited for this job (a schedule, the next event) is not the phase's.
 */
export async function restartClockOfUnstartedPhase(prisma: PrismaClient, runId: string): Promise<void> {
  const run = await prisma.run.findUnique({
    where: { id: runId },
    select: { state: true, currentPhaseKey: true },
  });
  if (run?.state !== "executing" || !run.currentPhaseKey) return;
  const attempt = await prisma.phaseAttempt.findFirst({
    where: { runId, phaseKey: run.currentPhaseKey },
    orderBy: { attempt: "desc" },
  });
  if (attempt?.state !== "running") return;
  const prompts = await prisma.promptDelivery.count({
    where: { runId, phaseKey: attempt.phaseKey, attempt: attempt.attempt },
  });
  if (prompts === 0)
    await prisma.phaseAttempt.update({ where: { id: attempt.id }, data: { startedAt: new Date() } });
}
