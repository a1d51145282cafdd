// devflow's git refused to run on a repository because something it never writes was found there (a
// config key, a rewritten `.git` file): the run fails at once, with git's refusal as its reason, and a
// person is asked to look — the agent that did it must not get another attempt on the same repository.
import type { Run } from "../db/generated/client.js";
import type { DevflowError } from "../errors/index.js";
import { failRun } from "./run-moves.js";
import type { WorkerContext } from "./worker-context.js";

export async function failForTampering(context: WorkerContext, run: Run, error: DevflowError): Promise<void> {
  context.log.warn(
    { runId: run.id, code: error.code, details: error.details },
    "devflow's git found the repository tampered with; failing the run",
  );
  await context.sessions.stopRunSessions(run.id);
  await context.prisma.$transaction(async (tx) => {
    if (run.currentPhaseKey) {
      await tx.phaseAttempt.updateMany({
        where: { runId: run.id, phaseKey: run.currentPhaseKey, state: "running" },
        data: {
          state: "failed",
          finishedAt: new Date(),
          failureCode: error.code,
          failureReason: error.message,
        },
      });
    }
    await failRun(tx, run, { code: error.code, reason: `${error.message} ${error.recoveryHint}` });
  });
}
