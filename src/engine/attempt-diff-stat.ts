// What one phase attempt changed: its checkpoint against the head the attempt started from (the run's
// previous checkpoint — on devflow's own ref, so not the branch's head — else the head the run started
// at, else the base branch), stored on the attempt for the dashboard and the check run. A figure to
// show, never a reason to fail the attempt.
import type { Prisma, Run } from "../db/index.js";
import { diffStat } from "../git/index.js";
import { messageOf } from "./failure-reason.js";
import { latestCheckpointOf } from "./run-queries.js";
import type { WorkerContext } from "./worker-context.js";

/** Files listed per attempt; `files` still counts them all. */
export const MAX_DIFF_PATHS = 300;

export interface AttemptDiffStat {
  files: number;
  insertions: number;
  deletions: number;
  paths: { path: string; insertions: number; deletions: number }[];
}

export async function attemptDiffStat(
  context: Pick<WorkerContext, "log" | "prisma">,
  run: Pick<Run, "id" | "headSha" | "baseBranch">,
  worktree: { mirrorPath: string; worktreePath: string },
): Promise<Prisma.InputJsonValue | undefined> {
  try {
    const previous = await latestCheckpointOf(context.prisma, run.id);
    const baseRef = previous ?? run.headSha ?? `origin/${run.baseBranch}`;
    const stat = await diffStat({ ...worktree, baseRef });
    const stored: AttemptDiffStat = {
      files: stat.files,
      insertions: stat.insertions,
      deletions: stat.deletions,
      paths: stat.paths.slice(0, MAX_DIFF_PATHS),
    };
    return stored as unknown as Prisma.InputJsonValue;
  } catch (error) {
    context.log.warn({ runId: run.id, err: messageOf(error) }, "could not tell what the attempt changed");
    return undefined;
  }
}

/** A stored diff stat read back, or undefined for none or a shape this version does not know. */
export function readAttemptDiffStat(value: Prisma.JsonValue | null): AttemptDiffStat | undefined {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
  const stat = value as Partial<AttemptDiffStat>;
  if (typeof stat.files !== "number" || !Array.isArray(stat.paths)) return undefined;
  return stat as AttemptDiffStat;
}
