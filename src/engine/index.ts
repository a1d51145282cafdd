// The public face of src/engine/: what other folders may import (docs/architecture.md).
export { type AdvanceOutcome, advanceRun } from "./advance-run.js";
export { pendingRequestOf, requestStateOf } from "./approval-requests.js";
export { describeBudgetEvent } from "./budget-report.js";
export { spendingOf } from "./budget-spending.js";
export { BUDGET_GATE, type BudgetCrossing, readBudgetState } from "./budget-state.js";
export { budgetGateText } from "./budget-words.js";
export { cutToBytes } from "./cut-to-bytes.js";
export { DispatchEngine, type RevisionOutcome } from "./dispatch-engine.js";
export { readFinalReport, writeMissingReports } from "./final-report.js";
export { type Effect, type ReplyEffect, readEffect, writeEffects } from "./outbox.js";
export {
  countRepositoryEffects,
  pendingEffectsByInstallation,
} from "./outbox-queries.js";
export { type AttemptActivity, activityKey, type RunActivity, runActivity } from "./phase-activity.js";
export { restartClockOfUnstartedPhase } from "./phase-clock.js";
export { reconcileRuns } from "./reconciler.js";
export { type RunUsage, type UsageTotals, usageOfRun } from "./record-usage.js";
export type { SessionRecovery } from "./recover-runs.js";
export { REVISION_LIMITS } from "./request-revision.js";
export { runEventsAfter } from "./run-events.js";
export { recordRunGitHubIds } from "./run-github-ids.js";
export { type RunPage, runPage, usageTotalsOf } from "./run-listing.js";
export {
  phaseAttemptCounts,
  phaseDurationSums,
  runCountsByState,
  sandboxFailuresByReason,
  streamedUsageTotals,
} from "./run-metrics.js";
export {
  activeRunOf,
  findRun,
  latestAttemptOf,
  latestRunOf,
  recentRuns,
  repositoriesWithRuns,
  runExists,
  runHasEnded,
  runIdsStartingWith,
  runLocation,
  runOfCheckRun,
  runStateOf,
  runsNeedingWorker,
  runsWithPendingGate,
} from "./run-queries.js";
export { isTerminal, type RunState, WORKING_STATES } from "./run-states.js";
export { getRunStatus, type RunStatus } from "./run-status.js";
export { pruneStoredReports, storedReportOf } from "./stored-reports.js";
export { describeUsage, formatUsd } from "./usage-summary.js";
export { type EngineLog, silentLog, type WorkerContext } from "./worker-context.js";
export { openWorkerHost, type WorkerHost } from "./worker-host.js";
