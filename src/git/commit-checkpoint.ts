// Every phase ends with a commit that devflow makes, not the agent: everything the agent changed, or an
// empty commit when it changed nothing, so each phase has its own head SHA an approval can bind to.
// The identity is set for the command itself, so no machine's git config is needed or consulted for it.
// The worktree is addressed through the mirror's record of it (openWorktree), never its `.git` file.
import { isDevflowError } from "../errors/index.js";
import { createGit } from "./create-git.js";
import { gitError } from "./git-error.js";
import { openWorktree } from "./open-worktree.js";

export interface GitIdentity {
  name: string;
  email: string;
}

export interface CommitCheckpointOptions {
  /** The mirror the worktree was made from (devflow's record of it). */
  mirrorPath: string;
  worktreePath: string;
  message: string;
  /** The commit's author; the committer is always devflow. */
  author?: GitIdentity;
}

export interface Checkpoint {
  sha: string;
  /** Paths added, changed or deleted by this commit (0 for an empty phase). */
  changedFiles: number;
}

const DEVFLOW: GitIdentity = { name: "devflow", email: "devflow@users.noreply.github.com" };

export async function commitCheckpoint({
  mirrorPath,
  worktreePath,
  message,
  author = DEVFLOW,
}: CommitCheckpointOptions): Promise<Checkpoint> {
  const git = createGit({
    repository: await openWorktree({ mirrorPath, worktreePath }),
    env: {
      GIT_AUTHOR_NAME: author.name,
      GIT_AUTHOR_EMAIL: author.email,
      GIT_COMMITTER_NAME: DEVFLOW.name,
      GIT_COMMITTER_EMAIL: DEVFLOW.email,
    },
  });
  try {
    await git.raw(["add", "--all"]);
    const staged = await git.raw(["diff", "--cached", "--name-only", "-z"]);
    // --no-verify: the repository's hooks are the agent's business, not a reason for a phase to fail.
    await git.raw(["commit", "--quiet", "--allow-empty", "--no-verify", "--message", message]);
    const sha = (await git.raw(["rev-parse", "HEAD"])).trim();
    return { sha, changedFiles: staged.split("\0").filter((path) => path !== "").length };
  } catch (error) {
    if (isDevflowError(error)) throw error; // refused before git ran (git_config_tampered)
    throw gitError(`Could not commit the checkpoint in ${worktreePath}.`, {
      code: "git_failed",
      error,
      details: { worktreePath },
    });
  }
}
