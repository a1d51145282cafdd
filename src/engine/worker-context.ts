import { join, resolve } from "node:path";
import type { BudgetConfig, InputLimits } from "../config/index.js";
import type { AdvisoryLockPool, PrismaClient } from "../db/index.js";
import { mirrorDirName } from "../git/index.js";
import type { AdvanceQueue } from "../queue/index.js";
import type { Registry } from "../registry/index.js";
import type { SessionManager } from "../sessions/index.js";

export interface EngineLog {
  /** Routine outcomes (a run another worker holds, a job for a run already parked): hidden at info. */
  debug?(details: Record<string, unknown>, message: string): void;
  info(details: Record<string, unknown>, message: string): void;
  warn(details: Record<string, unknown>, message: string): void;
  error(details: Record<string, unknown>, message: string): void;
}

export const silentLog: EngineLog = { info() {}, warn() {}, error() {} };

/** Everything the worker side of the engine needs, passed in (no module-level singletons). */
export interface WorkerContext {
  readonly prisma: PrismaClient;
  /** Per-run advisory locks (one advancer per run across every host), on pooled connections. */
  readonly runLocks: AdvisoryLockPool;
  readonly queue: AdvanceQueue;
  readonly sessions: SessionManager;
  readonly hostId: string;
  /** `<workspaceRoot>/<runId>/main` is a run's worktree; its report and artifacts sit beside it. */
  readonly workspaceRoot: string;
  readonly mirrorsDir: string;
  /** Personas and artifact schemas by `name@version` (templates come pinned from the database). */
  readonly registry: Registry;
  /** The agent a role gets when its template names none. */
  readonly defaultAgent: string;
  /** Overrides the template's phase timeout (tests and demos). */
  readonly phaseTimeoutMs?: number;
  readonly artifactPollMs?: number;
  /** Prompts per attempt: the first plus re-prompts after an invalid artifact (default 3). */
  readonly promptsPerAttempt?: number;
  /** HTTP auth header for git against the run's remote (a GitHub installation token); never logged. */
  readonly gitAuthHeader?: (run: { installationId: bigint | null }) => Promise<string | undefined>;
  /** Caps on artifacts and reports (default DEFAULT_INPUT_LIMITS). */
  readonly limits?: Pick<InputLimits, "artifactBytes" | "reportBytes"> &
    Partial<Pick<InputLimits, "promptBytes">>;
  /**
   * Runs this host may have active (preparing or executing) at once, counted in Postgres, so jobs that
   * end between phases or a restart never let more in. Unset: no cap (the CLI and the Action run one).
   */
  readonly maxActiveRuns?: number;
  /** The server's budgets (server config `budgets`); default DEFAULT_BUDGETS. */
  readonly budgets?: BudgetConfig;
  /** How often a running agent's usage is read against the budget (default BUDGET_POLL_MS). */
  readonly budgetPollMs?: number;
  readonly log: EngineLog;
}

export function runDir(context: Pick<WorkerContext, "workspaceRoot">, runId: string): string {
  return join(context.workspaceRoot, runId);
}

export function worktreePathOf(context: Pick<WorkerContext, "workspaceRoot">, runId: string): string {
  return join(context.workspaceRoot, runId, "main");
}

/** This host's mirror of the run's repository: devflow's record of the run's worktree lives in it. */
export function mirrorPathOf(context: Pick<WorkerContext, "mirrorsDir">, repository: string): string {
  return resolve(join(context.mirrorsDir, mirrorDirName(repository)));
}

export function reportPathOf(context: Pick<WorkerContext, "workspaceRoot">, runId: string): string {
  return join(context.workspaceRoot, runId, `${runId}.report.md`);
}

export function artifactPathOf(
  context: Pick<WorkerContext, "workspaceRoot">,
  runId: string,
  phaseKey: string,
  attempt: number,
): string {
  return join(context.workspaceRoot, runId, "artifacts", `${phaseKey}-${attempt}.json`);
}
