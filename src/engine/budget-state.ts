// A run's budget (Run.budget): the limits its repository lowered (fixed when it started), the limits
// Approve raised at a `budget_exceeded` gate, and the crossing the run waits at. The run's limits are
// the server's (WorkerContext.budgets), lowered by the repository's, replaced where Approve raised one.
import { z } from "zod";
import {
  BUDGET_DIMENSIONS,
  type BudgetConfig,
  type BudgetDimension,
  type BudgetLimits,
  budgetOverridesSchema,
  lowerLimit,
} from "../config/index.js";

export const BUDGET_GATE = "budget_exceeded";
/** The failure code of an attempt the budget stopped (and of a run whose budget gate was rejected). */
export const BUDGET_STOPPED = "budget_exceeded";
export type BudgetScope = "run" | "phase";

/** A limit crossed: where, by how much, and what an Approve raises it to. */
export const budgetCrossingSchema = z.object({
  scope: z.enum(["run", "phase"]),
  dimension: z.enum(BUDGET_DIMENSIONS),
  /** The phase whose attempt was running (or about to start) when the limit was crossed. */
  phaseKey: z.string(),
  attempt: z.int(),
  limit: z.number(),
  spent: z.number(),
  raisedTo: z.number(),
});
export type BudgetCrossing = z.output<typeof budgetCrossingSchema>;

const budgetStateSchema = z.object({
  lower: budgetOverridesSchema.optional(),
  /** Limits an Approve raised, by limitKey. */
  raised: z.record(z.string(), z.number()).optional(),
  /** The crossing the run's pending `budget_exceeded` gate is about. */
  crossed: budgetCrossingSchema.nullable().optional(),
});
export type BudgetState = z.output<typeof budgetStateSchema>;

/** The run's stored budget; a value devflow did not write reads as none. */
export function readBudgetState(value: unknown): BudgetState {
  const parsed = budgetStateSchema.safeParse(value ?? {});
  return parsed.success ? parsed.data : {};
}

/** `run.tokens`, or `phase:implement.costUsd`: a phase's raised limit is that phase's alone. */
export function limitKey(scope: BudgetScope, phaseKey: string, dimension: BudgetDimension): string {
  return scope === "run" ? `run.${dimension}` : `phase:${phaseKey}.${dimension}`;
}

export interface EffectiveLimits {
  readonly run: BudgetLimits;
  readonly phase: BudgetLimits;
}

/** The limits that hold for `phaseKey` of a run now. */
export function effectiveLimits(config: BudgetConfig, state: BudgetState, phaseKey: string): EffectiveLimits {
  const scoped = (scope: BudgetScope): BudgetLimits => {
    const limit = (dimension: BudgetDimension) =>
      state.raised?.[limitKey(scope, phaseKey, dimension)] ??
      lowerLimit(config[scope][dimension], state.lower?.[scope]?.[dimension]);
    return {
      tokens: limit("tokens"),
      costUsd: limit("costUsd"),
      wallTimeMinutes: limit("wallTimeMinutes"),
      attempts: limit("attempts"),
    };
  };
  return { run: scoped("run"), phase: scoped("phase") };
}
