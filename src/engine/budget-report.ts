// The final report's "Budget" section: what the run and each of its phases spent against the limits
// that held for them, and every limit crossed and raised on the way, in the order it happened.
import { z } from "zod";
import type { BudgetConfig, BudgetLimits } from "../config/index.js";
import type { PrismaClient } from "../db/index.js";
import { type Spent, spendingOf } from "./budget-spending.js";
import { budgetCrossingSchema, effectiveLimits, readBudgetState } from "./budget-state.js";
import { budgetAmount, describeCrossing, describeSpentAgainst, limitName } from "./budget-words.js";

export interface BudgetView {
  readonly run: { readonly spent: Spent; readonly limits: BudgetLimits };
  readonly phases: readonly {
    readonly phaseKey: string;
    readonly spent: Spent;
    readonly limits: BudgetLimits;
  }[];
}

/** The run's spending against its limits now (phases in the order they first started). */
export async function budgetViewOf(
  prisma: PrismaClient,
  budgets: BudgetConfig,
  run: { id: string; budget: unknown },
  phaseKeys: readonly string[],
): Promise<BudgetView> {
  const state = readBudgetState(run.budget);
  const keys = [...new Set(phaseKeys)];
  const phases = [];
  for (const phaseKey of keys) {
    const spending = await spendingOf(prisma, run.id, phaseKey);
    phases.push({ phaseKey, spent: spending.phase, limits: effectiveLimits(budgets, state, phaseKey).phase });
  }
  const spending = await spendingOf(prisma, run.id, keys[0] ?? "");
  return { run: { spent: spending.run, limits: effectiveLimits(budgets, state, "").run }, phases };
}

interface EventRow {
  readonly type: string;
  readonly payload: unknown;
}

const raisedSchema = budgetCrossingSchema.extend({ actor: z.string() });

/** A `budget.exceeded` or `budget.raised` event in words; undefined for any other event. */
export function describeBudgetEvent(event: EventRow): string | undefined {
  if (event.type === "budget.exceeded") {
    const crossing = budgetCrossingSchema.safeParse(event.payload);
    return crossing.success ? describeCrossing(crossing.data) : undefined;
  }
  if (event.type !== "budget.raised") return undefined;
  const raised = raisedSchema.safeParse(event.payload);
  if (!raised.success) return undefined;
  const name = limitName(raised.data);
  return `${name.charAt(0).toUpperCase()}${name.slice(1)} was raised to ${budgetAmount(raised.data.dimension, raised.data.raisedTo)} by ${raised.data.actor}.`;
}

/** The crossings and raises the run's events record, one line each. */
function budgetHistory(events: readonly EventRow[]): string[] {
  return events.flatMap((event) => {
    const line = describeBudgetEvent(event);
    return line === undefined ? [] : [`- ${line}`];
  });
}

const cell = (text: string) => text.replaceAll("|", "\\|");

export function renderBudgetSection(view: BudgetView | undefined, events: readonly EventRow[]): string[] {
  const history = budgetHistory(events);
  if (view === undefined && history.length === 0) return [];
  const lines = ["", "## Budget", ""];
  if (view !== undefined) {
    lines.push("| Scope | Spent of limit |", "|---|---|");
    lines.push(`| Run | ${cell(describeSpentAgainst(view.run.spent, view.run.limits))} |`);
    for (const phase of view.phases) {
      lines.push(`| Phase ${phase.phaseKey} | ${cell(describeSpentAgainst(phase.spent, phase.limits))} |`);
    }
  }
  if (history.length > 0) lines.push("", ...history);
  return lines;
}
