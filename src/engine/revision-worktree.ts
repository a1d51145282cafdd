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
    await writeFinalReport(context, earlier.id);
    await removeRunWorktree({
      mirrorPath: mirrorPathOf(context, run.repository),
      worktreePath: worktreePathOf(context, earlier.id),
    });
  }
}
