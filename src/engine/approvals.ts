// Approval requests and decisions (DESIGN §2). A decision is recorded once per idempotency key; two
// concurrent decisions on one request have exactly one winner (a compare-and-set on the request's
// state); a replayed decision changes nothing and reports what to repair.
import type { ApprovalAction, DecisionSource, Prisma, PrismaClient } from "../db/index.js";
import { DevflowError } from "../errors/index.js";
import { staleApprovalError, supersedeIfStale } from "./approval-binding.js";
import { decideBudgetGate } from "./budget-gate.js";
import { BUDGET_GATE } from "./budget-state.js";
import type { NewRunEvent } from "./run-events.js";
import { abortRun, completeRun, failRun, moveTo, moveToPhase, type RunRef } from "./run-moves.js";
import { isTerminal, type RunState } from "./run-states.js";
import { findPhase, firstPhase, phaseAfter, readDefinition, rejectionTarget } from "./template-plan.js";

type Tx = Prisma.TransactionClient;

export { approvalRequestKey, type OpenRequestInput, openApprovalRequest } from "./approval-requests.js";
export const SESSION_RECOVERY_GATE = "session_recovery_required";

export function decisionKey(requestId: string, action: ApprovalAction, clientToken: string) {
  return `${requestId}:${action}:${clientToken}`;
}

export interface DecideInput {
  runId: string;
  /** The request decided on; without it, the run's one pending request (of `gateKey` when given). */
  requestId?: string;
  gateKey?: string;
  action: ApprovalAction;
  /** GitHub comment/review id, or a UUID: the same token replays the same decision. */
  clientToken: string;
  actor: string;
  source: DecisionSource;
  reason?: string;
}

export interface DecideResult {
  outcome: "applied" | "replayed";
  requestId: string;
  gateKey: string;
  runState: RunState;
  runVersion: number;
}

async function findRequest(tx: Tx, input: DecideInput) {
  if (input.requestId) {
    const request = await tx.approvalRequest.findUnique({ where: { id: input.requestId } });
    if (!request || request.runId !== input.runId) {
      throw new DevflowError(`Run ${input.runId} has no approval request ${input.requestId}.`, {
        code: "approval_request_not_found",
      });
    }
    return request;
  }
  const replayed = await tx.approvalDecision.findFirst({
    where: { clientToken: input.clientToken, action: input.action, approvalRequest: { runId: input.runId } },
    include: { approvalRequest: true },
  });
  if (replayed) return replayed.approvalRequest;
  const pending = await tx.approvalRequest.findMany({
    where: { runId: input.runId, state: "pending", ...(input.gateKey ? { gateKey: input.gateKey } : {}) },
  });
  if (pending.length === 1 && pending[0]) return pending[0];
  if (pending.length === 0) {
    // Nothing pending: the latest request, if any, tells the decider who got there first.
    const latest = await tx.approvalRequest.findFirst({
      where: { runId: input.runId, ...(input.gateKey ? { gateKey: input.gateKey } : {}) },
      orderBy: { createdAt: "desc" },
    });
    if (latest) return latest;
  }
  const what = input.gateKey ? `a pending "${input.gateKey}" request` : "a pending approval request";
  throw new DevflowError(
    pending.length === 0
      ? `Run ${input.runId} has no ${what.slice(2)}.`
      : `Run ${input.runId} has several pending requests: name the gate.`,
    { code: "approval_request_not_found", details: { pending: pending.map((r) => r.gateKey) } },
  );
}

/** Records a decision and applies it to the run, in one transaction. */
export async function decide(prisma: PrismaClient, input: DecideInput): Promise<DecideResult> {
  const stale = await prisma.$transaction(async (tx) => {
    const run = await tx.run.findUnique({ where: { id: input.runId }, include: { template: true } });
    if (!run) throw new DevflowError(`No run ${input.runId}.`, { code: "run_not_found" });
    const request = await findRequest(tx, input);
    const key = decisionKey(request.id, input.action, input.clientToken);
    const existing = await tx.approvalDecision.findUnique({ where: { idempotencyKey: key } });
    const result = (outcome: DecideResult["outcome"], state: RunState, version: number): DecideResult => ({
      outcome,
      requestId: request.id,
      gateKey: request.gateKey,
      runState: state,
      runVersion: version,
    });
    if (existing) return result("replayed", run.state, run.version);

    if (request.state !== "pending") {
      const winner = await tx.approvalDecision.findFirst({
        where: { approvalRequestId: request.id },
        orderBy: { createdAt: "desc" },
      });
      throw new DevflowError(
        `The "${request.gateKey}" request is already ${request.state}${winner ? ` (${winner.action} by ${winner.actor} via ${winner.source})` : ""}.`,
        { code: "approval_request_closed", details: { state: request.state, by: winner?.actor ?? null } },
      );
    }
    // An approval is bound to what was shown: a push or a new artifact since supersedes the request.
    const superseded = await supersedeIfStale(tx, run, request);
    if (superseded) return { stale: superseded };
    const claimed = await tx.approvalRequest.updateMany({
      where: { id: request.id, state: "pending" },
      data: { state: decidedState(input.action), decidedAt: new Date() },
    });
    if (claimed.count === 0) {
      throw new DevflowError(`The "${request.gateKey}" request was decided by someone else a moment ago.`, {
        code: "approval_request_closed",
      });
    }
    await tx.approvalDecision.create({
      data: {
        approvalRequestId: request.id,
        action: input.action,
        actor: input.actor,
        source: input.source,
        clientToken: input.clientToken,
        idempotencyKey: key,
        reason: input.reason ?? null,
      },
    });
    const decided: NewRunEvent = {
      type: "approval.decided",
      payload: {
        requestId: request.id,
        gateKey: request.gateKey,
        action: input.action,
        actor: input.actor,
        source: input.source,
        reason: input.reason ?? null,
      },
    };
    const version = await applyDecision(tx, run, request, input, decided);
    if (version === undefined) {
      throw new DevflowError(`Run ${run.id} changed while the decision was applied.`, {
        code: "run_state_conflict",
      });
    }
    const after = await tx.run.findUniqueOrThrow({
      where: { id: run.id },
      select: { state: true, version: true },
    });
    return result("applied", after.state, after.version);
  });
  if ("stale" in stale) throw staleApprovalError(stale.stale);
  return stale;
}

function decidedState(action: ApprovalAction) {
  return action === "approve" ? "approved" : action === "reject" ? "rejected" : "aborted";
}

type RunWithTemplate = RunRef & {
  pausedFromState: RunState | null;
  currentPhaseKey: string | null;
  revision: number;
  budget: unknown;
  template: { definition: unknown };
};
type RequestRow = { gateKey: string; phaseId: string | null };

async function applyDecision(
  tx: Tx,
  run: RunWithTemplate,
  request: RequestRow,
  input: DecideInput,
  decided: NewRunEvent,
): Promise<number | undefined> {
  if (isTerminal(run.state)) return run.version; // a late decision on a finished run changes nothing
  if (input.action === "abort") return abortRun(tx, run, input.actor, [decided], input.reason);
  const template = readDefinition(run.template.definition);

  if (request.gateKey === SESSION_RECOVERY_GATE) {
    if (input.action === "reject") {
      return failRun(tx, run, {
        code: "session_recovery_rejected",
        reason: `Recovery declined by ${input.actor}.`,
        events: [decided],
      });
    }
    const resumed: NewRunEvent = { type: "run.resumed", payload: { actor: input.actor } };
    if (run.currentPhaseKey && template.phases.some((p) => p.key === run.currentPhaseKey)) {
      return moveToPhase(tx, run, findPhase(template, run.currentPhaseKey), {
        events: [decided, resumed],
        extraAttempt: true,
      });
    }
    return moveTo(tx, run, run.pausedFromState ?? "queued", [decided, resumed], { pausedFromState: null });
  }

  if (request.gateKey === BUDGET_GATE) {
    const action = input.action;
    return decideBudgetGate(tx, run, template, { action, actor: input.actor, reason: input.reason }, decided);
  }

  if (run.revision > 1 && request.phaseId === null && request.gateKey === template.revision?.gate) {
    // The gate a revision waits at before its first phase (template `revision.gate`).
    if (input.action === "reject") {
      return failRun(tx, run, {
        code: "revision_declined",
        reason: `Revision ${run.revision} was declined by ${input.actor}${input.reason ? `: ${input.reason}` : ""}.`,
        events: [decided],
      });
    }
    const first = firstPhase(template, run);
    return first ? moveToPhase(tx, run, first, { events: [decided] }) : completeRun(tx, run, [decided]);
  }
  const phase = request.phaseId
    ? await tx.phaseAttempt.findUniqueOrThrow({ where: { id: request.phaseId }, select: { phaseKey: true } })
    : undefined;
  const phaseKey = phase?.phaseKey ?? run.currentPhaseKey;
  if (!phaseKey)
    return failRun(tx, run, { code: "internal_error", reason: "Gate without a phase.", events: [decided] });
  if (input.action === "reject") {
    return moveToPhase(tx, run, rejectionTarget(template, phaseKey), {
      feedback: input.reason ?? "Rejected without a reason.",
      events: [decided],
    });
  }
  const next = phaseAfter(template, phaseKey, run);
  return next ? moveToPhase(tx, run, next, { events: [decided] }) : completeRun(tx, run, [decided]);
}
