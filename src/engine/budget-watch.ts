// The budget, checked as the agent reports its usage (streamed, not only at the end): while a phase
// attempt's session runs, what its adapter has read so far (the CLI's stream, the usage file) is
// recorded as it arrives and the run's and phase's limits are checked against it, agent time included.
// The first crossing aborts the wait for the artifact, and the caller stops the session at once.
import { setTimeout as sleep } from "node:timers/promises";
import { type BudgetConfig, DEFAULT_BUDGETS } from "../config/index.js";
import type { Run } from "../db/index.js";
import type { SessionHandle } from "../sessions/index.js";
import { firstCrossing } from "./budget-check.js";
import { laterBy, spendingOf } from "./budget-spending.js";
import { type BudgetCrossing, effectiveLimits, readBudgetState } from "./budget-state.js";
import { recordUsage } from "./record-usage.js";
import type { WorkerContext } from "./worker-context.js";

/** How often a running agent's usage is read (a usage report is seen at most this late). */
export const BUDGET_POLL_MS = 100;

export function budgetsOf(context: Pick<WorkerContext, "budgets">): BudgetConfig {
  return context.budgets ?? DEFAULT_BUDGETS;
}

/** The limit the run or `phaseKey` has crossed by now, if any (before an attempt spends anything). */
export async function crossingNow(
  context: WorkerContext,
  run: Pick<Run, "id" | "budget">,
  phaseKey: string,
  attempt: number,
): Promise<BudgetCrossing | undefined> {
  const budgets = budgetsOf(context);
  const limits = effectiveLimits(budgets, readBudgetState(run.budget), phaseKey);
  const spending = await spendingOf(context.prisma, run.id, phaseKey);
  return firstCrossing(limits, spending, budgets.raiseBy, { phaseKey, attempt });
}

export interface WatchTarget {
  readonly run: Pick<Run, "id" | "budget">;
  readonly phaseKey: string;
  readonly attempt: number;
  readonly session: SessionHandle;
}

export class BudgetWatch {
  /** Set once a limit is crossed (and `signal` aborted). */
  crossing: BudgetCrossing | undefined;
  readonly #crossed = new AbortController();
  readonly #stopped = new AbortController();
  readonly #loop: Promise<void>;

  constructor(
    private readonly context: WorkerContext,
    private readonly target: WatchTarget,
  ) {
    this.#loop = this.#watch();
  }

  /** Aborts when a limit is crossed. */
  get signal(): AbortSignal {
    return this.#crossed.signal;
  }

  async stop(): Promise<void> {
    this.#stopped.abort();
    await this.#loop;
  }

  async #watch(): Promise<void> {
    const { context, target } = this;
    const budgets = budgetsOf(context);
    const limits = effectiveLimits(budgets, readBudgetState(target.run.budget), target.phaseKey);
    const adapter = context.sessions.adapterFor(target.session);
    const where = { phaseKey: target.phaseKey, attempt: target.attempt };
    const recorded = new Map<string, string>();
    let spending: Awaited<ReturnType<typeof spendingOf>> | undefined;
    let readAt = Date.now();
    while (!this.#stopped.signal.aborted) {
      try {
        const reports = (await adapter.usageSoFar?.(target.session)) ?? [];
        let changed = spending === undefined;
        for (const { phaseKey, attempt, prompt, usage } of reports) {
          const key = `${phaseKey}:${attempt}:${prompt}:${usage.source}`;
          const value = JSON.stringify(usage);
          if (recorded.get(key) === value) continue;
          // The same row the attempt's end writes (per prompt and source): recorded again, never added.
          await recordUsage(context.prisma, { runId: target.run.id, phaseKey, attempt, prompt, usage });
          recorded.set(key, value);
          changed = true;
        }
        if (changed) {
          readAt = Date.now();
          spending = await spendingOf(context.prisma, target.run.id, target.phaseKey, new Date(readAt));
        }
        const now = spending && laterBy(spending, Date.now() - readAt);
        const crossing = now && firstCrossing(limits, now, budgets.raiseBy, where);
        if (crossing) {
          this.crossing = crossing;
          this.#crossed.abort();
          return;
        }
      } catch (error) {
        // A failed read or write is tried again at the next poll; the attempt's end records usage anyway.
        context.log.warn({ runId: target.run.id, err: error }, "could not check the run's budget");
      }
      await sleep(context.budgetPollMs ?? BUDGET_POLL_MS, undefined, {
        signal: this.#stopped.signal,
      }).catch(() => {});
    }
  }
}
