// The decision on a `budget_exceeded` gate, in the decision's transaction. Approve raises the limit that
// was crossed, once, to what the gate offered (the limit plus the server's `budgets.raiseBy`), and
// continues with a new attempt of the phase the budget stopped; Reject ends the run as failed, its
// reason naming the limit and what was spent.
import type { Prisma } from "../db/index.js";
import type { WorkflowDefinition } from "../registry/index.js";
import { BUDGET_STOPPED, limitKey, readBudgetState } from "./budget-state.js";
import { describeCrossing } from "./budget-words.js";
import type { NewRunEvent } from "./run-events.js";
import { failRun, moveToPhase, type RunRef } from "./run-moves.js";
import { findPhase } from "./template-plan.js";

type Tx = Prisma.TransactionClient;

export interface BudgetDecision {
  readonly action: "approve" | "reject";
  readonly actor: string;
  readonly reason?: string | undefined;
}

export async function decideBudgetGate(
  tx: Tx,
  run: RunRef & { budget: unknown; currentPhaseKey: string | null },
  template: WorkflowDefinition,
  decision: BudgetDecision,
  decided: NewRunEvent,
): Promise<number | undefined> {
  const state = readBudgetState(run.budget);
  const crossing = state.crossed ?? undefined;
  const what = crossing ? describeCrossing(crossing) : "A budget limit was crossed.";
  if (decision.action === "reject") {
    const why = decision.reason ? `: ${decision.reason}` : "";
    return failRun(tx, run, {
      code: BUDGET_STOPPED,
      reason: `${what} ${decision.actor} ended the run${why}.`,
      events: [decided],
    });
  }
  const phaseKey = crossing?.phaseKey ?? run.currentPhaseKey;
  if (!phaseKey || !template.phases.some((phase) => phase.key === phaseKey)) {
    return failRun(tx, run, {
      code: "internal_error",
      reason: "Budget gate without a phase.",
      events: [decided],
    });
  }
  const events: NewRunEvent[] = [decided];
  const raised = { ...state.raised };
  if (crossing) {
    const key = limitKey(crossing.scope, crossing.phaseKey, crossing.dimension);
    raised[key] = crossing.raisedTo;
    events.push({
      type: "budget.raised",
      payload: { ...crossing, key, from: crossing.limit, to: crossing.raisedTo, actor: decision.actor },
    });
  }
  const budget = { ...state, raised, crossed: null };
  return moveToPhase(tx, run, findPhase(template, phaseKey), {
    events,
    patch: { budget: budget as Prisma.InputJsonValue },
  });
}
