// The worktree a run works in, on its own branch (DESIGN §1 "progress is not host-local"): it starts from
// the run's last pushed checkpoint when there is one (another host may have run earlier phases) — its
// checkpoint ref, or the run's branch when that is further (a person pushed to it at a gate) — else from
// the base branch. Calling it again for a worktree that exists returns that worktree as it is.
import { mkdir, readdir } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { DevflowError, isDevflowError } from "../errors/index.js";
import { assertBranchName } from "./assert-branch-name.js";
import { canonicalPath } from "./canonical-path.js";
import { createGit, type Git } from "./create-git.js";
import { gitError } from "./git-error.js";
import { mirrorRepository } from "./git-repository.js";
import { listWorktrees } from "./list-worktrees.js";
import { openWorktree } from "./open-worktree.js";
import { resolveCommit } from "./resolve-commit.js";
import { withMirrorLock } from "./with-mirror-lock.js";

export interface CreateRunWorktreeOptions {
  mirrorPath: string;
  /** `<workspaceRoot>/<runId>/main`. */
  worktreePath: string;
  /** The run branch, e.g. from runBranchName. */
  branch: string;
  /** The branch a new run starts from, e.g. `main`. */
  baseBranch: string;
  /** The mirror's record of the run's checkpoint ref (checkpointTrackingRef), fetched by ensureMirror. */
  checkpointRef?: string;
  log?: (line: string) => void;
}

export interface RunWorktree {
  headSha: string;
  /**
   * True when the worktree was created from the run branch's earlier progress (a pushed checkpoint, or
   * commits this host made on the branch) rather than from the base branch.
   */
  resumedFromCheckpoint: boolean;
}

export async function createRunWorktree(options: CreateRunWorktreeOptions): Promise<RunWorktree> {
  await assertBranchName(options.branch);
  await assertBranchName(options.baseBranch);
  const mirrorPath = resolve(options.mirrorPath);
  const worktreePath = await canonicalPath(options.worktreePath);
  const ref = `refs/heads/${options.branch}`;
  return withMirrorLock(mirrorPath, async () => {
    const git = createGit({ repository: mirrorRepository(mirrorPath) });
    let entries = await listWorktrees(mirrorPath);
    const here = entries.find((entry) => entry.path === worktreePath);
    const hereExists = await isNonEmptyDirectory(worktreePath);
    if (here && !here.prunable && hereExists) {
      if (here.branch !== ref) {
        throw conflict(
          `${worktreePath} is already a worktree on ${here.branch ?? "a detached HEAD"}, not on ${ref}.`,
        );
      }
      const repository = await openWorktree({ mirrorPath, worktreePath });
      const head = await createGit({ repository }).raw(["rev-parse", "HEAD"]);
      return { headSha: head.trim(), resumedFromCheckpoint: false };
    }
    if (entries.some((entry) => entry.prunable) || here) {
      await git.raw(["worktree", "prune"]);
      entries = await listWorktrees(mirrorPath);
    }
    const elsewhere = entries.find((entry) => entry.branch === ref);
    if (elsewhere)
      throw conflict(`The branch ${options.branch} is already checked out in ${elsewhere.path}.`);
    if (hereExists)
      throw conflict(`${worktreePath} exists and is not a worktree of the mirror ${mirrorPath}.`);

    const local = await resolveCommit(git, ref);
    const { start, resumed } = await chooseStart(git, local, { ...options, mirrorPath });
    await mkdir(dirname(worktreePath), { recursive: true });
    try {
      if (local === undefined) {
        await git.raw([
          "worktree",
          "add",
          "--quiet",
          "--no-track",
          "-b",
          options.branch,
          worktreePath,
          start,
        ]);
      } else {
        if (local !== start) await git.raw(["update-ref", ref, start, local]);
        await git.raw(["worktree", "add", "--quiet", worktreePath, options.branch]);
      }
    } catch (error) {
      if (isDevflowError(error)) throw error; // refused before git ran (git_config_tampered)
      throw gitError(`Could not create the worktree ${worktreePath} on ${options.branch}.`, {
        code: "git_failed",
        error,
        details: { mirrorPath, worktreePath, branch: options.branch, start },
      });
    }
    return { headSha: start, resumedFromCheckpoint: resumed };
  });
}

async function chooseStart(
  git: Git,
  local: string | undefined,
  { branch, baseBranch, mirrorPath, log, checkpointRef }: CreateRunWorktreeOptions,
): Promise<{ start: string; resumed: boolean }> {
  const pushed = await furthest(
    git,
    checkpointRef === undefined ? undefined : await resolveCommit(git, checkpointRef),
    await resolveCommit(git, `refs/remotes/origin/${branch}`),
    (line) => log?.(`run branch ${branch}: ${line}`),
  );
  if (pushed !== undefined && local !== undefined && local !== pushed) {
    // No common ancestor: merge-base exits 1 and prints nothing.
    const common = (await git.run(["merge-base", pushed, local])).stdout.trim();
    if (common === pushed) return { start: local, resumed: true }; // commits made here, not pushed yet
    if (common !== local) {
      log?.(
        `run branch ${branch}: local commit ${local} is not in the pushed checkpoint ${pushed}; using the checkpoint`,
      );
    }
    return { start: pushed, resumed: true };
  }
  const existing = pushed ?? local;
  if (existing !== undefined) return { start: existing, resumed: true };
  const base = await resolveCommit(git, `refs/remotes/origin/${baseBranch}`);
  if (base !== undefined) return { start: base, resumed: false };

  const listed = await git.raw(["for-each-ref", "--format=%(refname:lstrip=3)", "refs/remotes/origin/"]);
  const branches = listed.split("\n").filter((name) => name !== "" && name !== "HEAD");
  const known =
    branches.length === 0
      ? "it has no branches yet"
      : branches.length <= 20
        ? `its branches: ${branches.join(", ")}`
        : `it has ${branches.length} branches`;
  throw new DevflowError(`The base branch "${baseBranch}" does not exist in the repository (${known}).`, {
    code: "base_branch_not_found",
    details: { baseBranch, branches: branches.slice(0, 100), mirrorPath },
  });
}

/**
 * Of the pushed checkpoint and the pushed branch, the one that contains the other: the checkpoint, unless
 * the branch went further (a person pushed on top of it at a gate). When they diverged, the checkpoint.
 */
async function furthest(
  git: Git,
  checkpoint: string | undefined,
  branch: string | undefined,
  log: (line: string) => void,
): Promise<string | undefined> {
  if (checkpoint === undefined || branch === undefined || checkpoint === branch) return checkpoint ?? branch;
  const common = (await git.run(["merge-base", checkpoint, branch])).stdout.trim();
  if (common === checkpoint) return branch;
  if (common !== branch)
    log(`the branch (${branch}) and the checkpoint (${checkpoint}) diverged; using the checkpoint`);
  return checkpoint;
}

function conflict(message: string): DevflowError {
  return new DevflowError(message, { code: "worktree_conflict" });
}

async function isNonEmptyDirectory(path: string): Promise<boolean> {
  try {
    return (await readdir(path)).length > 0;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENOTDIR";
  }
}
