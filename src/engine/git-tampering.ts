// devflow's git refused to run on a repository because something it never writes was found there (a
// config key, a rewritten `.git` file): the run fails at once, with git's refusal as its reason, and a
// person is asked to look — the agent that did it must not get another attempt on the same repository.
import type { Run } from "../db/index.js";
import type { DevflowError } from "../errors/index.js";
import { failAttempt } from "./fail-attempt.js";
import { failRun } from "./run-moves.js";
import { findPhase, readDefinition } from "./template-plan.js";
import type { WorkerContext } from "./worker-context.js";

type RunWithTemplate = Run & { template: { definition: unknown } };

export async function failForTampering(
  context: WorkerContext,
  run: RunWithTemplate,
  error: DevflowError,
): Promise<void> {
  context.log.warn(
    { runId: run.id, code: error.code, details: error.details },
    "devflow's git found the repository tampered with; failing the run",
  );
  const reason = `${error.message} ${error.recoveryHint}`;
  const attempt = run.currentPhaseKey
    ? await context.prisma.phaseAttempt.findFirst({
        where: { runId: run.id, phaseKey: run.currentPhaseKey, state: "running" },
        select: { id: true, attempt: true },
      })
    : null;
  if (run.currentPhaseKey && attempt) {
    const phase = findPhase(readDefinition(run.template.definition), run.currentPhaseKey);
    await failAttempt(context, { run, phase, attempt, code: error.code, reason, failsRun: true });
    return;
  }
  // Found before any attempt opened (preparing the worktree): there is no attempt to close.
  await context.sessions.stopRunSessions(run.id);
  await context.prisma.$transaction((tx) => failRun(tx, run, { code: error.code, reason }));
}
