// A run that crossed a limit stops spending and waits for a person: its agent's session is stopped at
// once, the usage the agent reported up to its end (the tokens already in flight) is recorded, the
// attempt is closed as `budget_exceeded`, and the run parks at a `budget_exceeded` gate that names the
// limit and what was spent against it. The decision on that gate: budget-gate.ts.
import type { Prisma, Run } from "../db/index.js";
import { pushCheckpoint } from "../git/index.js";
import type { WorkflowPhase } from "../registry/index.js";
import type { SessionHandle } from "../sessions/index.js";
import { openApprovalRequest } from "./approval-requests.js";
import { spendingOf } from "./budget-spending.js";
import { BUDGET_GATE, BUDGET_STOPPED, type BudgetCrossing, readBudgetState } from "./budget-state.js";
import { describeCrossing } from "./budget-words.js";
import { boundedReason } from "./failure-reason.js";
import { recordTakenUsage } from "./record-session-usage.js";
import { appendRunEvents } from "./run-events.js";
import { moveTo } from "./run-moves.js";
import { latestCheckpointOf } from "./run-queries.js";
import { mirrorPathOf, type WorkerContext } from "./worker-context.js";

export interface BudgetParking {
  readonly run: Run;
  readonly phase: WorkflowPhase;
  readonly attempt: { readonly id: string; readonly attempt: number };
  readonly crossing: BudgetCrossing;
  /** The attempt's session, when it had started one. */
  readonly session?: SessionHandle;
}

class RunMovedError extends Error {}

export async function parkForBudget(context: WorkerContext, parking: BudgetParking): Promise<void> {
  const { run, phase, attempt, session } = parking;
  const adapter = session && context.sessions.adapterFor(session);
  await context.sessions.stopRunSessions(run.id);
  if (session && adapter) await recordTakenUsage(context, run.id, adapter, session, 0);
  // What was spent once the agent stopped: the figure the gate, the check run and the report show.
  const spending = await spendingOf(context.prisma, run.id, phase.key);
  const spent = spending[parking.crossing.scope][parking.crossing.dimension];
  const crossing = { ...parking.crossing, spent: Math.max(parking.crossing.spent, spent) };
  const reason = boundedReason(describeCrossing(crossing));
  const headSha = await showLatestCheckpoint(context, run);
  await context.prisma
    .$transaction(async (tx) => {
      const claimed = await tx.phaseAttempt.updateMany({
        where: { id: attempt.id, state: "running" },
        data: { state: "failed", finishedAt: new Date(), failureCode: BUDGET_STOPPED, failureReason: reason },
      });
      if (claimed.count === 0) return;
      const budget = { ...readBudgetState(run.budget), crossed: crossing };
      const version = await moveTo(
        tx,
        run,
        "awaiting_approval",
        [
          {
            type: "phase.failed",
            payload: { phaseKey: phase.key, attempt: attempt.attempt, code: BUDGET_STOPPED, reason },
          },
          { type: "budget.exceeded", payload: crossing },
        ],
        {
          currentPhaseKey: phase.key,
          budget: budget as Prisma.InputJsonValue,
          ...(headSha ? { headSha } : {}),
        },
      );
      if (version === undefined) throw new RunMovedError(); // e.g. aborted meanwhile: nothing is written
      const { event } = await openApprovalRequest(tx, {
        runId: run.id,
        gateKey: BUDGET_GATE,
        phaseId: attempt.id,
      });
      await appendRunEvents(tx, run.id, [event]);
    })
    .catch((error: unknown) => {
      if (!(error instanceof RunMovedError)) throw error;
    });
  context.log.info({ runId: run.id, ...crossing }, "budget crossed: the run waits at budget_exceeded");
}

/**
 * A gate is where people look: the run's branch (the pull request's head, where the check run and its
 * buttons live) moves to the newest checkpoint, as it does at a template's gate. Its sha, when it moved.
 */
async function showLatestCheckpoint(context: WorkerContext, run: Run): Promise<string | undefined> {
  const sha = await latestCheckpointOf(context.prisma, run.id);
  if (!sha || sha === run.headSha || !run.branch) return undefined;
  const authHeader = await context.gitAuthHeader?.(run);
  await pushCheckpoint({
    mirrorPath: mirrorPathOf(context, run.repository),
    branch: run.branch,
    runId: run.id,
    moveBranch: true,
    remoteUrl: run.cloneUrl ?? run.repository,
    sha,
    ...(authHeader ? { authHeader } : {}),
  });
  return sha;
}
