// Every phase ends with a commit that devflow makes, not the agent: everything the agent changed, or an
// empty commit when it changed nothing, so each phase has its own head SHA an approval can bind to.
// The identity is set for the command itself, so no machine's git config is needed or consulted for it.
// The worktree is addressed through the mirror's record of it (openWorktree), never its `.git` file.
import { lstat } from "node:fs/promises";
import { join } from "node:path";
import { isDevflowError } from "../errors/index.js";
import { createGit, type Git } from "./create-git.js";
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
    await stageEverything(git, worktreePath);
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

/**
 * What `git add --all` stages — every change, deletion and new file not ignored — without `git add`:
 * for each repository nested in the worktree (a gitlink whose directory holds a `.git`), `git add` runs
 * `git status` inside it, which reads that repository's own config, filters included, written by the
 * agent. Listing and updating the index directly starts no git anywhere but in devflow's repository.
 */
async function stageEverything(git: Git, worktreePath: string): Promise<void> {
  const listed = await git.raw([
    "ls-files",
    "-z",
    "--modified",
    "--deleted",
    "--others",
    "--exclude-standard",
  ]);
  // A nested repository not yet tracked is listed as `dir/`; the index names it without the slash.
  const paths = new Set(listed.split("\0").flatMap((path) => (path === "" ? [] : [path.replace(/\/$/, "")])));
  const update: string[] = [];
  const remove: string[] = [];
  for (const path of paths) {
    // A tracked file that became a directory leaves the index; the files in it are listed on their own.
    ((await isPlainDirectory(join(worktreePath, path))) ? remove : update).push(path);
  }
  if (remove.length > 0)
    await git.raw(["update-index", "-z", "--force-remove", "--stdin"], nulTerminated(remove));
  if (update.length > 0) {
    await git.raw(["update-index", "-z", "--add", "--remove", "--replace", "--stdin"], nulTerminated(update));
  }
}

/** A directory that is not a nested repository (which the index records as a gitlink). */
async function isPlainDirectory(path: string): Promise<boolean> {
  const info = await lstat(path).catch(() => undefined);
  return (
    info?.isDirectory() === true && (await lstat(join(path, ".git")).catch(() => undefined)) === undefined
  );
}

function nulTerminated(paths: string[]): string {
  return paths.map((path) => `${path}\0`).join("");
}
