// How long one phase may take inside one Actions job. A job starts at most one phase and ends (the next
// event or the workflow's schedule continues the run), so the longest phase, plus the job's other work,
// must fit the job's timeout-minutes and the life of the token it acts with: GitHub ends a job at its
// timeout, and an App installation token expires an hour after it was made.
import type { Registry } from "../registry/index.js";

/** GitHub's timeout for a job that sets none. */
export const DEFAULT_JOB_MINUTES = 360;
/** An installation token from actions/create-github-app-token lives one hour. */
export const APP_TOKEN_MINUTES = 60;
/** Setup, migrations, the clone, the final push and delivering GitHub updates, around the phase. */
export const JOB_MARGIN_SECONDS = 600;

export function phaseBudgetSeconds(job: { timeoutMinutes?: number; tokenKind: "workflow" | "app" }): number {
  const jobMinutes = job.timeoutMinutes ?? DEFAULT_JOB_MINUTES;
  const minutes = job.tokenKind === "app" ? Math.min(jobMinutes, APP_TOKEN_MINUTES) : jobMinutes;
  return minutes * 60 - JOB_MARGIN_SECONDS;
}

/** The longest phase timeout of the registry's workflow templates. */
export function longestPhaseSeconds(registry: Registry): number {
  let longest = 0;
  for (const workflow of registry.workflows.values())
    for (const phase of workflow.definition.phases) longest = Math.max(longest, phase.timeoutSeconds);
  return longest;
}

/**
 * The phase timeout the engine gets (it overrides every phase's): the configured override or, when the
 * templates' longest phase would not fit the job, the budget; undefined keeps the templates' own.
 */
export function phaseTimeoutFor(
  configured: number | undefined,
  longest: number,
  budget: number,
): number | undefined {
  if (configured !== undefined) return Math.min(configured, budget);
  return longest > budget ? budget : undefined;
}
