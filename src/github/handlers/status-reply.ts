// The answer to `/status` and `/devflow status`: where the run is (its state, phase and attempt, the gate
// it waits at), the time it has taken and its agents' working time, and what it has cost so far.
import type { PrismaClient, Run } from "../../db/index.js";
import type { UsageTotals } from "../../engine/index.js";
import {
  BUDGET_GATE,
  type BudgetCrossing,
  budgetGateText,
  formatUsd,
  isTerminal,
  latestAttemptOf,
  pendingRequestOf,
  readBudgetState,
  spendingOf,
  usageOfRun,
} from "../../engine/index.js";

export interface StatusFacts {
  readonly run: Pick<
    Run,
    "id" | "state" | "currentPhaseKey" | "createdAt" | "startedAt" | "finishedAt" | "failureReason"
  >;
  /** The attempt of the current phase, when one was opened. */
  readonly attempt: number | undefined;
  /** The gate the run waits at, and the crossing when it is the budget's. */
  readonly gate: { readonly key: string; readonly crossing?: BudgetCrossing | undefined } | undefined;
  readonly usage: UsageTotals;
  /** Minutes the run's agents worked (phase attempts from start to end). */
  readonly agentMinutes: number;
  readonly now: Date;
}

function duration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

function costSoFar(usage: UsageTotals): string {
  const tokens = usage.inputTokens + usage.outputTokens + usage.cacheReadTokens + usage.cacheWriteTokens;
  if (tokens === 0 && usage.costUsd === null) return "Cost so far: nothing reported yet.";
  const count = `${tokens.toLocaleString("en-US")} tokens`;
  if (usage.costUsd === null) return `Cost so far: unknown (the agents reported ${count} but no cost).`;
  return `Cost so far: ${usage.costComplete ? "" : "at least "}${formatUsd(usage.costUsd)} (${count}).`;
}

/** The reply, from what is known of the run now (pure: table-tested). */
export function describeRunStatus(facts: StatusFacts): string {
  const { run, gate } = facts;
  const where = run.currentPhaseKey
    ? ` (phase \`${run.currentPhaseKey}\`${facts.attempt ? `, attempt ${facts.attempt}` : ""})`
    : "";
  const state =
    run.state === "awaiting_approval" && gate
      ? `waiting at \`${gate.key}\``
      : run.state === "awaiting_approval"
        ? "waiting for a decision"
        : run.state;
  const since = run.startedAt ?? run.createdAt;
  const end = isTerminal(run.state) && run.finishedAt ? run.finishedAt : facts.now;
  const lines = [
    `devflow run \`${run.id}\` is **${state}**${where}.`,
    `Time spent: ${duration(end.getTime() - since.getTime())} since it started, ${duration(facts.agentMinutes * 60_000)} of it agents working. ${costSoFar(facts.usage)}`,
  ];
  if (gate?.crossing) lines.push(`**Budget:** ${budgetGateText(gate.crossing)}`);
  if (isTerminal(run.state) && run.state !== "completed" && run.failureReason)
    lines.push(`> ${run.failureReason}`);
  return lines.join("\n");
}

export async function statusReply(prisma: PrismaClient, run: Run, now: Date = new Date()): Promise<string> {
  const [usage, spending, attempt, pending] = await Promise.all([
    usageOfRun(prisma, run.id),
    spendingOf(prisma, run.id, run.currentPhaseKey ?? "", now),
    run.currentPhaseKey ? latestAttemptOf(prisma, run.id, run.currentPhaseKey) : null,
    pendingRequestOf(prisma, run.id),
  ]);
  const crossing = pending?.gateKey === BUDGET_GATE ? readBudgetState(run.budget).crossed : undefined;
  return describeRunStatus({
    run,
    attempt: attempt?.attempt,
    gate: pending ? { key: pending.gateKey, crossing: crossing ?? undefined } : undefined,
    usage: usage.total,
    agentMinutes: spending.run.wallTimeMinutes,
    now,
  });
}
