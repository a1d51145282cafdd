// Budgets (DESIGN §2 "Usage and budgets"): limits per run and per phase on tokens, cost in USD, agent
// wall time and attempts. The operator sets them in the server config (`budgets`, each with a default
// below); a repository's `.github/devflow.yml` may only lower them. Crossing one parks the run at a
// `budget_exceeded` gate, whose Approve raises the crossed limit once by `raiseBy`.
import { z } from "zod";

export const BUDGET_DIMENSIONS = ["tokens", "costUsd", "wallTimeMinutes", "attempts"] as const;
export type BudgetDimension = (typeof BUDGET_DIMENSIONS)[number];

/** One scope's limits; null: no limit on that dimension. */
export type BudgetLimits = { readonly [D in BudgetDimension]: number | null };

export interface BudgetConfig {
  /** The whole run: every phase attempt's usage, agent time and attempts together. */
  readonly run: BudgetLimits;
  /** Each phase key, over all its attempts in the run. */
  readonly phase: BudgetLimits;
  /** What an Approve at the `budget_exceeded` gate adds to the limit that was crossed. */
  readonly raiseBy: { readonly [D in BudgetDimension]: number };
}

/**
 * The defaults: generous for real work, small next to a runaway. Tokens count every token the agent
 * reported (input, output, cache reads and writes); wall time is the time agents worked (phase attempts
 * from start to end), never the time a run waits for people.
 */
export const DEFAULT_BUDGETS: BudgetConfig = {
  run: { tokens: 50_000_000, costUsd: 50, wallTimeMinutes: 480, attempts: 15 },
  phase: { tokens: 20_000_000, costUsd: 20, wallTimeMinutes: 180, attempts: 5 },
  raiseBy: { tokens: 10_000_000, costUsd: 10, wallTimeMinutes: 60, attempts: 2 },
};

const MAX = { tokens: 1e12, costUsd: 1e6, wallTimeMinutes: 525_600, attempts: 1_000 } as const;

/** A positive limit of `dimension`: whole tokens and attempts, any positive dollars and minutes. */
function amount(dimension: BudgetDimension) {
  const base = dimension === "tokens" || dimension === "attempts" ? z.int() : z.number();
  return base
    .positive(`found a value of 0 or less; allowed: a positive number (${dimension})`)
    .max(MAX[dimension]);
}

function limitsSchema(defaults: BudgetLimits) {
  return z
    .strictObject({
      tokens: amount("tokens").nullable().default(defaults.tokens),
      costUsd: amount("costUsd").nullable().default(defaults.costUsd),
      wallTimeMinutes: amount("wallTimeMinutes").nullable().default(defaults.wallTimeMinutes),
      attempts: amount("attempts").nullable().default(defaults.attempts),
    })
    .default(defaults);
}

/** The server config's `budgets` (null on a limit: none on that dimension). */
export const budgetsSchema = z
  .strictObject({
    run: limitsSchema(DEFAULT_BUDGETS.run),
    phase: limitsSchema(DEFAULT_BUDGETS.phase),
    raiseBy: z
      .strictObject({
        tokens: amount("tokens").default(DEFAULT_BUDGETS.raiseBy.tokens),
        costUsd: amount("costUsd").default(DEFAULT_BUDGETS.raiseBy.costUsd),
        wallTimeMinutes: amount("wallTimeMinutes").default(DEFAULT_BUDGETS.raiseBy.wallTimeMinutes),
        attempts: amount("attempts").default(DEFAULT_BUDGETS.raiseBy.attempts),
      })
      .default(DEFAULT_BUDGETS.raiseBy),
  })
  .default(DEFAULT_BUDGETS);

const lowered = z
  .strictObject({
    tokens: amount("tokens").optional(),
    costUsd: amount("costUsd").optional(),
    wallTimeMinutes: amount("wallTimeMinutes").optional(),
    attempts: amount("attempts").optional(),
  })
  .optional();

/** A repository's `budgets`: lower limits only (no `raiseBy`, no null: a repository cannot lift one). */
export const budgetOverridesSchema = z.strictObject({ run: lowered, phase: lowered });
export type BudgetOverrides = z.output<typeof budgetOverridesSchema>;

/**
 * A repository's limits that are above the server's, in words naming the key and the server's limit:
 * a repository may lower a limit, never raise it (its file is refused, so no run starts with a limit
 * other than the one written).
 */
export function overridesAboveServer(overrides: BudgetOverrides, server: BudgetConfig): string[] {
  const problems: string[] = [];
  for (const scope of ["run", "phase"] as const) {
    for (const dimension of BUDGET_DIMENSIONS) {
      const value = overrides[scope]?.[dimension];
      const limit = server[scope][dimension];
      if (value === undefined || limit === null || value <= limit) continue;
      problems.push(
        `\`budgets.${scope}.${dimension}\`: ${value} is above this server's limit of ${limit}; a repository may lower a budget, never raise it. Fix: set it to ${limit} or less, or remove it (the server's limit then applies).`,
      );
    }
  }
  return problems;
}

/** The lower of two limits (null: none). */
export function lowerLimit(a: number | null, b: number | null | undefined): number | null {
  if (b === undefined || b === null) return a;
  return a === null ? b : Math.min(a, b);
}
