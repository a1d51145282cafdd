// Once a run has completed, its branch holds its last checkpoint, and the run's checkpoint ref on the
// remote (refs/devflow/runs/<runId>) is only clutter in the repository: it is deleted, under a lease (only
// while it is where this host last saw it: another host's newer checkpoint is never deleted), and the
// mirror forgets its record of it. A ref that is already gone is left alone. As in push-checkpoint.ts,
// the URL is named explicitly and git reads no config an agent could have written.
import { DevflowError } from "../errors/index.js";
import { checkpointRef, checkpointTrackingRef } from "./checkpoint-ref.js";
import { createGit } from "./create-git.js";
import { gitError } from "./git-error.js";
import { mirrorRepository } from "./git-repository.js";
import { resolveCommit } from "./resolve-commit.js";

export interface DeleteCheckpointRefOptions {
  mirrorPath: string;
  runId: string;
  /** The repository's clone URL (the mirror's origin). */
  remoteUrl: string;
  authHeader?: string;
}

/** True when it deleted the ref; false when this host has no record of one (nothing to delete). */
export async function deleteCheckpointRef({
  mirrorPath,
  runId,
  remoteUrl,
  authHeader,
}: DeleteCheckpointRefOptions): Promise<boolean> {
  if (remoteUrl.startsWith("-")) {
    throw new DevflowError(
      `Could not delete run ${runId}'s checkpoint ref: its remote is not a URL or a path.`,
      {
        code: "checkpoint_push_failed",
        class: "bad_input",
        details: { runId },
      },
    );
  }
  const repository = mirrorRepository(mirrorPath);
  const mirror = createGit({ repository });
  const tracking = checkpointTrackingRef(runId);
  const expected = await resolveCommit(mirror, tracking);
  if (expected === undefined) return false;
  const git = createGit({ repository, ...(authHeader ? { authHeader } : {}) });
  const remote = checkpointRef(runId);
  try {
    await git.raw([
      "push",
      "--quiet",
      "--no-verify",
      `--force-with-lease=${remote}:${expected}`,
      remoteUrl,
      `:${remote}`,
    ]);
    await mirror.raw(["update-ref", "-d", tracking, expected]);
  } catch (error) {
    throw gitError(`Could not delete run ${runId}'s checkpoint ref ${remote}.`, {
      code: "checkpoint_push_failed",
      error,
      authHeader,
      details: { runId, expected },
    });
  }
  return true;
}
