// The engine API (DESIGN §1 "The web process only dispatches"): start, decide, abort, retry, status.
// Each call validates, records in one transaction and enqueues; it never touches worktrees or sessions
// and never takes the SessionManager lock. Workers do the rest.
import { randomUUID } from "node:crypto";
import type { ApprovalAction, DecisionSource, Prisma, PrismaClient } from "../db/index.js";
import { DevflowError, isDevflowError } from "../errors/index.js";
import type { AdvanceQueue } from "../queue/index.js";
import { type DecideInput, type DecideResult, decide } from "./approvals.js";
import { type RevisionOutcome, type RevisionRequestInput, requestRevision } from "./request-revision.js";
import { appendRunEvents } from "./run-events.js";
import { abortRun, moveToPhase } from "./run-moves.js";
import { isTerminal } from "./run-states.js";
import { getRunStatus, type RunStatus } from "./run-status.js";
import { findPhase, readDefinition } from "./template-plan.js";
import { type StartRunInput, validateStartRun } from "./validate-start-run.js";
import type { EngineLog } from "./worker-context.js";

export type { RevisionComment, RevisionOutcome, RevisionRequestInput } from "./request-revision.js";
export type { StartRunInput } from "./validate-start-run.js";

export interface DispatchEngineOptions {
  prisma: PrismaClient;
  queue: AdvanceQueue;
  log: EngineLog;
}

export class DispatchEngine {
  constructor(private readonly options: DispatchEngineOptions) {}

  /**
   * Records a queued run and enqueues it. Starting the same run id again returns it unchanged.
   * `guard` runs first inside the creating transaction (e.g. "one active run per issue", under a lock);
   * if it throws, nothing is written. `alsoRecord` runs last in it (e.g. the trigger's reaction and audit
   * row), so the run and what answers its trigger commit together.
   */
  async startRun(
    input: StartRunInput,
    options: {
      guard?: (tx: Prisma.TransactionClient) => Promise<void>;
      alsoRecord?: (tx: Prisma.TransactionClient, runId: string) => Promise<void>;
    } = {},
  ): Promise<{ runId: string; created: boolean }> {
    const { prisma } = this.options;
    if (input.runId) {
      const existing = await prisma.run.findUnique({
        where: { id: input.runId },
        select: { id: true, repository: true },
      });
      if (existing) {
        if (existing.repository !== input.repository) {
          throw new DevflowError(`Run ${input.runId} already exists for another repository.`, {
            code: "run_input_invalid",
          });
        }
        return { runId: existing.id, created: false };
      }
    }
    const valid = await validateStartRun(prisma, input);
    const runId = input.runId ?? randomUUID();
    await prisma.$transaction(async (tx) => {
      await options.guard?.(tx);
      await tx.run.create({
        data: {
          id: runId,
          templateHash: valid.template.hash,
          repository: input.repository,
          cloneUrl: valid.cloneUrl,
          baseBranch: input.baseBranch,
          requirements: input.requirements,
          title: valid.title,
          gates: valid.gates,
          issueNumber: input.issueNumber ?? null,
          installationId: input.installationId ?? null,
          scenarios: (input.scenarios ?? undefined) as Prisma.InputJsonValue | undefined,
          ...(input.agents && Object.keys(input.agents).length > 0 ? { agents: input.agents } : {}),
          ...(input.budgets ? { budget: { lower: input.budgets } } : {}),
        },
      });
      await appendRunEvents(tx, runId, [
        {
          type: "run.created",
          payload: {
            template: `${valid.template.name}@${valid.template.version}`,
            repository: input.repository,
          },
        },
      ]);
      await options.alsoRecord?.(tx, runId);
    });
    await this.enqueue(runId, 0);
    return { runId, created: true };
  }

  async getStatus(runId: string): Promise<RunStatus> {
    return getRunStatus(this.options.prisma, runId);
  }

  /** Decides an approval request (approve / reject / abort); replaying the same client token is harmless. */
  async decide(input: DecideInput): Promise<DecideResult> {
    const result = await decide(this.options.prisma, input);
    // Applied or replayed, the run may need a worker: its next phase, or a report a crash left unwritten.
    await this.enqueue(input.runId, result.runVersion);
    return result;
  }

  /** Aborts a run at any non-terminal state (a pending request is closed as aborted). */
  async abort(
    runId: string,
    actor: string,
    source: DecisionSource = "api",
    clientToken: string = randomUUID(),
    /** What the abort answers (e.g. "the issue was closed"), shown in the report. */
    why?: string,
  ) {
    // The worker may move the run in that same instant (its phase reaching a gate): the abort then
    // applies to where the run is now. A person's /abort is not lost to a race (CI saw one).
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#abortOnce(runId, actor, source, clientToken, why);
      } catch (error) {
        if (!isDevflowError(error, "run_state_conflict") || attempt >= 3) throw error;
      }
    }
  }

  async #abortOnce(
    runId: string,
    actor: string,
    source: DecisionSource,
    clientToken: string,
    why: string | undefined,
  ) {
    const { prisma } = this.options;
    const pending = await prisma.approvalRequest.findFirst({ where: { runId, state: "pending" } });
    if (pending)
      return this.decide({
        runId,
        requestId: pending.id,
        action: "abort" satisfies ApprovalAction,
        clientToken,
        actor,
        source,
        ...(why ? { reason: why } : {}),
      });
    const version = await prisma.$transaction(async (tx) => {
      const run = await tx.run.findUnique({ where: { id: runId } });
      if (!run) throw new DevflowError(`No run ${runId}.`, { code: "run_not_found" });
      if (isTerminal(run.state)) return run.version;
      const moved = await abortRun(tx, run, actor, [], why);
      if (moved === undefined)
        throw new DevflowError(`Run ${runId} changed while aborting.`, { code: "run_state_conflict" });
      return moved;
    });
    await this.enqueue(runId, version);
    return { runId, runVersion: version };
  }

  /** Retries a paused run (approving its recovery request) or gives an executing phase a fresh attempt. */
  async retry(
    runId: string,
    actor: string,
    source: DecisionSource = "api",
    clientToken: string = randomUUID(),
  ) {
    const { prisma } = this.options;
    const run = await prisma.run.findUnique({ where: { id: runId }, include: { template: true } });
    if (!run) throw new DevflowError(`No run ${runId}.`, { code: "run_not_found" });
    const pending = await prisma.approvalRequest.findFirst({
      where: { runId, state: "pending", gateKey: "session_recovery_required" },
    });
    if (run.state === "paused" && pending) {
      return this.decide({ runId, requestId: pending.id, action: "approve", clientToken, actor, source });
    }
    if (run.state === "executing" && run.currentPhaseKey) {
      // A stuck attempt: give the phase a fresh attempt now.
      const phase = findPhase(readDefinition(run.template.definition), run.currentPhaseKey);
      const version = await prisma.$transaction(async (tx) => {
        await tx.phaseAttempt.updateMany({
          where: { runId, phaseKey: phase.key, state: "running" },
          data: {
            state: "failed",
            finishedAt: new Date(),
            failureCode: "retried",
            failureReason: `Retried by ${actor}.`,
          },
        });
        return moveToPhase(tx, run, phase, { extraAttempt: true });
      });
      if (version === undefined)
        throw new DevflowError(`Run ${runId} changed while retrying.`, { code: "run_state_conflict" });
      await this.enqueue(runId, version);
      return { runId, runVersion: version };
    }
    throw new DevflowError(`Run ${runId} is ${run.state}: there is nothing to retry.`, {
      code: "run_not_retryable",
      details: { state: run.state },
    });
  }

  /**
   * Records a request for changes on a run's pull request (DESIGN §2 "Revision"): it starts revision N + 1
   * at once when the run's chain has ended, else waits queued until the chain's active run ends. The
   * same client token twice records one request. The sender must already be authorized.
   */
  async requestRevision(input: RevisionRequestInput): Promise<RevisionOutcome> {
    const outcome = await requestRevision(this.options.prisma, input);
    // Replayed too: a crash between the commit and the enqueue left the revision without a job.
    if (outcome.state === "started") await this.enqueue(outcome.runId, 0);
    return outcome;
  }

  /** Queue delivery is best effort: the reconciler rebuilds any job lost here from Postgres. */
  private async enqueue(runId: string, version: number): Promise<void> {
    try {
      await this.options.queue.enqueue(runId, version);
    } catch (error) {
      this.options.log.warn(
        { runId, err: (error as Error).message },
        "enqueue failed; the reconciler will queue the run",
      );
    }
  }
}
