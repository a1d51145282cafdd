// The ids GitHub gave a run's own objects (sticky comment, draft PR, check run). The effects worker
// learns them; the engine owns the Run row, so they are written here and nowhere else.
import type { PrismaClient } from "../db/index.js";

export interface RunGitHubIds {
  statusCommentId?: number;
  pullRequestNumber?: number;
  /** The check run and the head it was made for (a new head gets a check run of its own). */
  checkRun?: { id: number; headSha: string | null };
}

export async function recordRunGitHubIds(prisma: PrismaClient, runId: string, ids: RunGitHubIds) {
  await prisma.run.update({
    where: { id: runId },
    data: {
      ...(ids.statusCommentId !== undefined ? { statusCommentId: BigInt(ids.statusCommentId) } : {}),
      ...(ids.pullRequestNumber !== undefined ? { pullRequestNumber: ids.pullRequestNumber } : {}),
      ...(ids.checkRun ? { checkRunId: BigInt(ids.checkRun.id), checkRunHeadSha: ids.checkRun.headSha } : {}),
    },
  });
}
