// A run as getRunStatus and runActivity read it, built in memory: for tests of what devflow renders
// from a run (the check run's output), where the rows themselves are not under test.
import { randomUUID } from "node:crypto";
import type { PhaseAttempt } from "../../src/db/generated/client.js";
import type { AttemptActivity, RunActivity } from "../../src/engine/phase-activity.js";
import { activityKey } from "../../src/engine/phase-activity.js";
import type { RunStatus } from "../../src/engine/run-status.js";

export interface BuiltPhase {
  phaseKey: string;
  state?: PhaseAttempt["state"];
  artifactSummary?: string;
  activity?: Partial<Omit<AttemptActivity, "phaseKey" | "attempt">>;
}

const START = new Date("2026-12-01T10:00:00Z");

/** A run in `state` whose phases (attempt 1 each, one minute apart) are `phases`. */
export function builtRun(state: RunStatus["run"]["state"], phases: readonly BuiltPhase[]) {
  const runId = randomUUID();
  const at = (minutes: number) => new Date(START.getTime() + minutes * 60_000);
  const terminal = state === "completed" || state === "failed" || state === "aborted";
  const status: RunStatus = {
    run: {
      id: runId,
      state,
      pausedFromState: null,
      version: 1,
      nextEventSeq: 1,
      templateHash: "a".repeat(64),
      template: { name: "development", version: 1, hash: "a".repeat(64) },
      repository: "octo/demo",
      cloneUrl: null,
      installationId: 1n,
      issueNumber: 7,
      pullRequestNumber: 8,
      statusCommentId: null,
      checkRunId: null,
      checkRunHeadSha: null,
      baseBranch: "main",
      branch: "devflow/7-demo",
      headSha: "b".repeat(40),
      requirements: "Do the thing",
      title: "Do the thing",
      gates: [],
      worktreePath: null,
      currentPhaseKey: phases.at(-1)?.phaseKey ?? null,
      scenarios: null,
      agents: null,
      hostId: null,
      failureCode: null,
      failureReason: null,
      reportPath: null,
      reportWrittenAt: terminal ? at(phases.length + 1) : null,
      createdAt: START,
      updatedAt: START,
      startedAt: START,
      finishedAt: terminal ? at(phases.length) : null,
      revision: 1,
      revisionOf: null,
      budget: null,
    },
    phases: phases.map((phase, index) => ({
      id: randomUUID(),
      runId,
      phaseKey: phase.phaseKey,
      attempt: 1,
      state: phase.state ?? "succeeded",
      artifactPath: null,
      artifactSha256: null,
      artifact: phase.artifactSummary === undefined ? null : { summary: phase.artifactSummary },
      checkpointSha: "c".repeat(40),
      diffStat: null,
      feedback: null,
      failureCode: null,
      failureReason: null,
      startedAt: at(index),
      finishedAt: at(index + 1),
    })),
    approvals: [],
    sessions: [],
    events: [],
    chain: [],
    revisionRequests: [],
  };
  const activity: RunActivity = new Map(
    phases.map((phase) => [
      activityKey(phase.phaseKey, 1),
      {
        phaseKey: phase.phaseKey,
        attempt: 1,
        agent: undefined,
        usage: undefined,
        commands: [],
        commandsOmitted: 0,
        diffStat: undefined,
        ...phase.activity,
      },
    ]),
  );
  return { status, activity };
}

/** Usage as usageOfRun sums it for one attempt. */
export function builtUsage(inputTokens: number, outputTokens: number, costUsd: number, model: string) {
  return {
    inputTokens,
    outputTokens,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    costUsd,
    costComplete: true,
    models: [model],
  };
}
