// What a run and one of its phases have spent, in the budget's dimensions: tokens (every kind the agents
// reported), cost, agent wall time (phase attempts from start to end, a running one up to now) and
// attempts. An attempt the budget itself stopped counts its usage and time, not as an attempt: Approve's
// new attempt must not use up the phase's attempts.
import type { BudgetDimension } from "../config/index.js";
import type { PrismaClient } from "../db/index.js";
import { BUDGET_STOPPED } from "./budget-state.js";
import type { UsageTotals } from "./record-usage.js";
import { usageOfRun } from "./record-usage.js";

export type Spent = { [D in BudgetDimension]: number } & {
  /** False when some usage had no cost: `costUsd` is then a lower bound. */
  readonly costComplete: boolean;
};

export interface Spending {
  readonly run: Spent;
  readonly phase: Spent;
}

export function tokensOf(usage: UsageTotals): number {
  return usage.inputTokens + usage.outputTokens + usage.cacheReadTokens + usage.cacheWriteTokens;
}

interface AttemptTimes {
  readonly phaseKey: string;
  readonly startedAt: Date;
  readonly finishedAt: Date | null;
  readonly failureCode: string | null;
}

function spentOf(attempts: readonly AttemptTimes[], usage: readonly UsageTotals[], now: Date): Spent {
  const costs = usage.flatMap((entry) => (entry.costUsd === null ? [] : [entry.costUsd]));
  const workedMs = attempts.reduce(
    (total, attempt) =>
      total + Math.max(0, (attempt.finishedAt ?? now).getTime() - attempt.startedAt.getTime()),
    0,
  );
  return {
    tokens: usage.reduce((total, entry) => total + tokensOf(entry), 0),
    costUsd: costs.reduce((total, cost) => total + cost, 0),
    costComplete: usage.every((entry) => entry.costComplete && entry.costUsd !== null),
    wallTimeMinutes: workedMs / 60_000,
    attempts: attempts.filter((attempt) => attempt.failureCode !== BUDGET_STOPPED).length,
  };
}

/** The run's spending and `phaseKey`'s (over all its attempts), as of `now`. */
export async function spendingOf(
  prisma: PrismaClient,
  runId: string,
  phaseKey: string,
  now: Date = new Date(),
): Promise<Spending> {
  const attempts = await prisma.phaseAttempt.findMany({
    where: { runId },
    select: { phaseKey: true, startedAt: true, finishedAt: true, failureCode: true },
  });
  const usage = await usageOfRun(prisma, runId);
  return {
    run: spentOf(attempts, usage.attempts, now),
    phase: spentOf(
      attempts.filter((attempt) => attempt.phaseKey === phaseKey),
      usage.attempts.filter((entry) => entry.phaseKey === phaseKey),
      now,
    ),
  };
}

/** `spending` as it stands `ms` later while one attempt runs: only agent time grew. */
export function laterBy(spending: Spending, ms: number): Spending {
  const minutes = Math.max(0, ms) / 60_000;
  return {
    run: { ...spending.run, wallTimeMinutes: spending.run.wallTimeMinutes + minutes },
    phase: { ...spending.phase, wallTimeMinutes: spending.phase.wallTimeMinutes + minutes },
  };
}
