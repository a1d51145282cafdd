// Pushes a run's checkpoint to the repository so any host can continue the run (DESIGN §1): always to
// the run's checkpoint ref (refs/devflow/runs/<runId>), and to the run's branch too when it moves (at a
// gate and at the end: the branch is the pull request's head, and each new head costs GitHub a new check
// run). Both in one atomic push; then the mirror records what it pushed, as a fetch would (compare-and-
// set). Each ref is forced only over what this host last saw of it (a lease): a push never overwrites
// another host's checkpoint. The push runs in the mirror: no worktree is involved, and the URL is named
// explicitly, so no remote.*.url or url.*.pushInsteadOf decides where the token goes.
import { setTimeout as sleep } from "node:timers/promises";
import { DevflowError, isDevflowError } from "../errors/index.js";
import { assertBranchName } from "./assert-branch-name.js";
import { checkpointRef, checkpointTrackingRef } from "./checkpoint-ref.js";
import { createGit, type Git } from "./create-git.js";
import { gitError } from "./git-error.js";
import { mirrorRepository } from "./git-repository.js";
import { resolveCommit } from "./resolve-commit.js";

export interface PushCheckpointOptions {
  /** The mirror holding the run branch. */
  mirrorPath: string;
  branch: string;
  /** The run: its checkpoints go to refs/devflow/runs/<runId>. */
  runId: string;
  /** Also move the run's branch to the checkpoint (at a gate and at the end of the run). */
  moveBranch?: boolean;
  /** The repository's clone URL (the mirror's origin). */
  remoteUrl: string;
  authHeader?: string;
  /** The commit to push when the caller knows it (saves looking it up); else the branch's head. */
  sha?: string;
}

export async function pushCheckpoint({
  mirrorPath,
  branch,
  runId,
  moveBranch = false,
  remoteUrl,
  authHeader,
  ...known
}: PushCheckpointOptions): Promise<void> {
  await assertBranchName(branch);
  if (remoteUrl.startsWith("-")) {
    // git would read it as an option.
    throw new DevflowError(`Could not push the run branch ${branch}: its remote is not a URL or a path.`, {
      code: "checkpoint_push_failed",
      class: "bad_input",
      details: { branch },
    });
  }
  const repository = mirrorRepository(mirrorPath);
  const git = createGit({ repository, ...(authHeader ? { authHeader } : {}) });
  const mirror = createGit({ repository });
  const sha = known.sha ?? (await branchHead(mirror, mirrorPath, branch));
  // The refs to move, each with its lease: where the remote had it when this host last saw it ("" =
  // it must not exist yet).
  const targets = [{ remote: checkpointRef(runId), tracking: checkpointTrackingRef(runId) }];
  if (moveBranch) targets.push({ remote: `refs/heads/${branch}`, tracking: `refs/remotes/origin/${branch}` });
  const expected = await Promise.all(
    targets.map(async (t) => (await resolveCommit(mirror, t.tracking)) ?? ""),
  );
  try {
    await git.raw([
      "push",
      "--quiet",
      "--no-verify",
      ...(targets.length > 1 ? ["--atomic"] : []),
      ...targets.map((t, i) => `--force-with-lease=${t.remote}:${expected[i]}`),
      remoteUrl,
      ...targets.map((t) => `${sha}:${t.remote}`),
    ]);
  } catch (error) {
    if (isDevflowError(error)) throw error; // refused before git ran (git_config_tampered)
    const stale = /stale info|fetch first|non-fast-forward|atomic push failed/i.test(
      error instanceof Error ? error.message : "",
    );
    throw gitError(
      stale
        ? `Could not push the run branch ${branch}: its checkpoint changed on the remote since this host last saw it.`
        : `Could not push the run branch ${branch}.`,
      {
        code: "checkpoint_push_failed",
        error,
        authHeader,
        details: {
          branch,
          runId,
          sha,
          moveBranch,
          expected: Object.fromEntries(targets.map((t, i) => [t.remote, expected[i]])),
        },
      },
    );
  }
  try {
    for (const [i, target] of targets.entries())
      await recordPushed(mirror, target.tracking, sha, expected[i] ?? "");
  } catch (error) {
    if (isDevflowError(error)) throw error;
    throw gitError(`Pushed ${branch}, but could not record it in the mirror ${mirrorPath}.`, {
      code: "git_failed",
      error,
      details: { branch, sha, mirrorPath },
    });
  }
}

/**
 * Moves the mirror's tracking ref from what the lease expected to the pushed commit. No mirror lock:
 * git's compare-and-set update-ref is atomic on its own. When the ref moved meanwhile, a fetch already
 * recorded the remote's newer truth, which must stay; git's ref lock held by a concurrent fetch or
 * update is waited out briefly.
 */
async function recordPushed(mirror: Git, tracking: string, sha: string, expected: string) {
  for (let attempt = 1; ; attempt++) {
    try {
      await mirror.raw(["update-ref", tracking, sha, expected]);
      return;
    } catch (error) {
      const now = (await resolveCommit(mirror, tracking)) ?? "";
      if (now !== expected) return; // moved by a fetch (to this push or past it)
      if (attempt >= 5) throw error;
      await sleep(20 * attempt);
    }
  }
}

async function branchHead(mirror: Git, mirrorPath: string, branch: string): Promise<string> {
  let sha: string | undefined;
  try {
    sha = await resolveCommit(mirror, `refs/heads/${branch}`);
  } catch (error) {
    if (isDevflowError(error)) throw error;
    throw gitError(`${mirrorPath} is not a mirror devflow can push from.`, {
      code: "git_failed",
      error,
      details: { mirrorPath, branch },
    });
  }
  if (sha === undefined) {
    throw new DevflowError(`The run branch ${branch} does not exist in ${mirrorPath}.`, {
      code: "git_failed",
      recoveryHint:
        "Create the run's worktree (createRunWorktree) and commit a checkpoint before pushing it.",
      details: { mirrorPath, branch },
    });
  }
  return sha;
}
