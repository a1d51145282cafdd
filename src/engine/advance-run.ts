// What a worker does with "advance run R": take the run's lock (one advancer per run across every
// host), then step the run until it waits for a human, ends, or is left for recovery. Every step is a
// guarded transition, so a replayed or duplicated job is harmless.
import { isDevflowError } from "../errors/index.js";
import { executeCurrentPhase } from "./execute-phase.js";
import { writeFinalReport } from "./final-report.js";
import { failForTampering } from "./git-tampering.js";
import { prepareRun, startPreparing } from "./prepare-run.js";
import { queuedRevisionAfter } from "./revision-chain.js";
import { queuedRuns } from "./run-queries.js";
import { isTerminal, WORKING_STATES } from "./run-states.js";
import type { WorkerContext } from "./worker-context.js";

export type AdvanceOutcome =
  | "locked_elsewhere"
  | "waiting"
  | "finished"
  | "missing"
  | "shutting_down"
  | "at_capacity";

/** The advisory lock a run's advancer holds (one advancer per run across every host). */
export function runLockName(runId: string): string {
  return `devflow:run:${runId}`;
}

export async function advanceRun(context: WorkerContext, runId: string): Promise<AdvanceOutcome> {
  const lockName = runLockName(runId);
  let lock = await context.runLocks.tryLock(lockName);
  if (!lock) return "locked_elsewhere"; // another worker is advancing it; it queues what comes next
  // The lock dies with its connection (a Postgres restart): stop, and go on only if it can be taken back.
  const guard = { lost: () => lock?.isLost() ?? true };
  let parkedAt: number | undefined;
  let finished = false;
  try {
    for (;;) {
      if (context.sessions.isClosing) return "shutting_down";
      if (lock.isLost()) {
        await lock.release();
        const again = await context.runLocks.tryLock(lockName).catch(() => undefined);
        if (!again) return "locked_elsewhere";
        lock = again;
      }
      const run = await context.prisma.run.findUnique({ where: { id: runId }, include: { template: true } });
      if (!run) return "missing";
      if (isTerminal(run.state)) {
        finished = true;
        await context.sessions.stopRunSessions(run.id);
        if (!run.reportWrittenAt) await writeFinalReport(context, run.id);
        // The revision its end started (start-revision.ts) needs a job; the reconciler would find it too.
        const next = await queuedRevisionAfter(context.prisma, run);
        if (next) await context.queue.enqueue(next.id, next.version, "after-revision");
        return "finished";
      }
      if (run.state === "awaiting_approval" || run.state === "paused") {
        parkedAt = run.version;
        return "waiting";
      }
      try {
        if (run.state === "queued") {
          if (!(await startPreparing(context, run))) return "at_capacity"; // queued again when a slot frees
        } else if (run.state === "preparing") await prepareRun(context, run);
        else if (run.state === "executing") await executeCurrentPhase(context, run, guard);
      } catch (error) {
        // Retrying cannot help: the repository stays tampered with until a person looks.
        if (!isDevflowError(error, "git_config_tampered")) throw error;
        await failForTampering(context, run, error);
      }
    }
  } finally {
    await lock?.release();
    // Best effort: the reconciler queues the run anyway if this fails.
    if (parkedAt !== undefined) await requeueIfMovedMeanwhile(context, runId, parkedAt).catch(() => {});
    if (parkedAt !== undefined || finished) await queueWaitingRuns(context).catch(() => {});
  }
}

/** A slot of this host freed (a run parked or ended): the queued runs get jobs again. */
async function queueWaitingRuns(context: WorkerContext): Promise<void> {
  if (context.maxActiveRuns === undefined) return;
  const tag = `slot-${Date.now().toString(36)}`;
  for (const run of await queuedRuns(context.prisma, context.maxActiveRuns))
    await context.queue.enqueue(run.id, run.version, tag);
}

/**
 * A decision that lands while this worker is parking the run finds the run's lock still held, and its
 * job ends as locked_elsewhere. Once the lock is released, look again: a run that moved on gets a job.
 */
export async function requeueIfMovedMeanwhile(
  context: WorkerContext,
  runId: string,
  parkedAt: number,
): Promise<void> {
  const now = await context.prisma.run.findUnique({
    where: { id: runId },
    select: { state: true, version: true },
  });
  if (!now || now.version === parkedAt) return;
  if (isTerminal(now.state) || (WORKING_STATES as readonly string[]).includes(now.state)) {
    await context.queue.enqueue(runId, now.version, "after-park");
  }
}
