// Budgets in words, the same in the final report, the sticky comment, the check run and replies: which
// limit, what was spent against it, and what a decision does.
import type { BudgetDimension, BudgetLimits } from "../config/index.js";
import type { Spent } from "./budget-spending.js";
import type { BudgetCrossing } from "./budget-state.js";
import { formatUsd } from "./usage-summary.js";

const NAME: Record<BudgetDimension, string> = {
  tokens: "token limit",
  costUsd: "cost limit",
  wallTimeMinutes: "agent time limit",
  attempts: "attempt limit",
};

const minutes = (value: number) =>
  value < 1 ? `${Math.round(value * 60)} s` : `${value < 10 ? value.toFixed(1) : Math.round(value)} min`;

/** `1,200 tokens`, `$5.00`, `12.5 min` (`45 s` below a minute), `3 attempts`. */
export function budgetAmount(dimension: BudgetDimension, value: number): string {
  if (dimension === "tokens") return `${Math.round(value).toLocaleString("en-US")} tokens`;
  if (dimension === "costUsd") return formatUsd(value);
  if (dimension === "wallTimeMinutes") return minutes(value);
  return `${value} attempt${value === 1 ? "" : "s"}`;
}

/** "the run's token limit" / "phase `spec`'s cost limit". */
export function limitName(crossing: Pick<BudgetCrossing, "scope" | "phaseKey" | "dimension">): string {
  const owner = crossing.scope === "run" ? "the run's" : `phase \`${crossing.phaseKey}\`'s`;
  return `${owner} ${NAME[crossing.dimension]}`;
}

/** "The run's token limit of 1,000 tokens was crossed: 1,210 tokens spent (phase `spec`, attempt 1)." */
export function describeCrossing(crossing: BudgetCrossing): string {
  const name = limitName(crossing);
  const where =
    crossing.scope === "run"
      ? `phase \`${crossing.phaseKey}\`, attempt ${crossing.attempt}`
      : `attempt ${crossing.attempt}`;
  return `${name.charAt(0).toUpperCase()}${name.slice(1)} of ${budgetAmount(crossing.dimension, crossing.limit)} was crossed: ${budgetAmount(crossing.dimension, crossing.spent)} spent (${where}).`;
}

/** The open gate in words: the crossing, and what each decision does. */
export function budgetGateText(crossing: BudgetCrossing): string {
  return `${describeCrossing(crossing)} \`/approve\` raises it to ${budgetAmount(crossing.dimension, crossing.raisedTo)} and continues with a new attempt of \`${crossing.phaseKey}\`; \`/reject <reason>\` ends the run.`;
}

/** "1,210 of 3,000 tokens; $0.0300 of $50.00; 12 s of 480 min agent time; 2 of 15 attempts" (or "(no limit)"). */
export function describeSpentAgainst(spent: Spent, limits: BudgetLimits): string {
  const pair = (dimension: BudgetDimension) => {
    const limit = limits[dimension];
    const value = spent[dimension];
    const shown = dimension === "costUsd" && !spent.costComplete ? `at least ${formatUsd(value)}` : undefined;
    if (limit === null) return `${shown ?? budgetAmount(dimension, value)} (no limit)`;
    if (dimension === "tokens")
      return `${Math.round(value).toLocaleString("en-US")} of ${budgetAmount(dimension, limit)}`;
    if (dimension === "costUsd") return `${shown ?? formatUsd(value)} of ${formatUsd(limit)}`;
    if (dimension === "wallTimeMinutes") return `${minutes(value)} of ${minutes(limit)} agent time`;
    return `${value} of ${budgetAmount(dimension, limit)}`;
  };
  return (["tokens", "costUsd", "wallTimeMinutes", "attempts"] as const).map(pair).join("; ");
}
