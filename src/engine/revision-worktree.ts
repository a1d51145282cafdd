// A revision works on its chain's branch in a worktree of its own (`<workspaceRoot>/<runId>/main`). git
// checks a branch out in one worktree at a time, so the earlier runs of the chain give theirs up on this
// host first: their sessions stopped, their final reports written (the diff stat reads the worktree).
import { existsSync } from "node:fs";
import { removeRunWorktree } from "../git/index.js";
import { writeFinalReport } from "./final-report.js";
import { chainOf, firstRunIdOf } from "./revision-chain.js";
import { isTerminal } from "./run-states.js";
import { mirrorPathOf, type WorkerContext, worktreePathOf } from "./worker-context.js";

export async function releaseEarlierWorktrees(
  context: WorkerContext,
  run: { id: string; revisionOf: string | null; repository: string },
): Promise<void> {
  for (const earlier of await chainOf(context.prisma, firstRunIdOf(run))) {
    if (
      earlier.id === run.id ||
      !isTerminal(earlier.state) ||
      !existsSync(worktreePathOf(context, earlier.id))
    )
      continue;
    await context.sessions.stopRunSessions(earlier.id);
    // Best effort: a report that cannot be written here is repaired by its own run's worker or at start-up.
    await writeFinalReport(context, earlier.id).catch((error: unknown) =>
      context.log.warn(
        { runId: earlier.id, err: error instanceof Error ? error.message : String(error) },
        "could not write the report of a run before its revision took the branch",
      ),
    );
    await removeRunWorktree({
      mirrorPath: mirrorPathOf(context, run.repository),
      worktreePath: worktreePathOf(context, earlier.id),
    });
  }
}
