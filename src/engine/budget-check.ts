// Whether a run has crossed a limit: pure, so every dimension and scope is table-tested. A limit is
// crossed when what was spent goes past it (at exactly the limit it still holds); the run's limits are
// looked at before the phase's, cost before tokens, time and attempts.
import type { BudgetConfig, BudgetDimension } from "../config/index.js";
import type { Spending } from "./budget-spending.js";
import type { BudgetCrossing, BudgetScope, EffectiveLimits } from "./budget-state.js";

const ORDER: readonly BudgetDimension[] = ["costUsd", "tokens", "wallTimeMinutes", "attempts"];

export function firstCrossing(
  limits: EffectiveLimits,
  spending: Spending,
  raiseBy: BudgetConfig["raiseBy"],
  where: { phaseKey: string; attempt: number },
): BudgetCrossing | undefined {
  for (const scope of ["run", "phase"] as const satisfies readonly BudgetScope[]) {
    for (const dimension of ORDER) {
      const limit = limits[scope][dimension];
      const spent = spending[scope][dimension];
      if (limit === null || spent <= limit) continue;
      return { scope, dimension, ...where, limit, spent, raisedTo: limit + raiseBy[dimension] };
    }
  }
  return undefined;
}
