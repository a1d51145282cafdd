// Removes a run's worktree and its registration in the mirror. Idempotent: a worktree already gone (or
// never made) is fine. The run branch stays in the mirror; its progress lives in the pushed checkpoints.
// A directory at the path that is not a worktree of this mirror is never deleted. devflow deletes the
// directory itself and lets `git worktree prune` drop the record: `git worktree remove` would read the
// worktree's `.git` file, which the agent may have rewritten.
import { readFile, rm, stat } from "node:fs/promises";
import { join, resolve, sep } from "node:path";
import { DevflowError, isDevflowError } from "../errors/index.js";
import { canonicalPath } from "./canonical-path.js";
import { createGit } from "./create-git.js";
import { gitError } from "./git-error.js";
import { mirrorRepository } from "./git-repository.js";
import { listWorktrees } from "./list-worktrees.js";
import { findAdminDirs } from "./open-worktree.js";
import { withMirrorLock } from "./with-mirror-lock.js";

export interface RemoveRunWorktreeOptions {
  mirrorPath: string;
  worktreePath: string;
}

export async function removeRunWorktree(options: RemoveRunWorktreeOptions): Promise<void> {
  const mirrorPath = await canonicalPath(options.mirrorPath);
  const worktreePath = await canonicalPath(options.worktreePath);
  const mirrorExists = (await stat(join(mirrorPath, "HEAD")).catch(() => undefined)) !== undefined;
  if (!mirrorExists) {
    if (await belongsTo(worktreePath, mirrorPath)) await rm(worktreePath, { recursive: true, force: true });
    return;
  }
  await withMirrorLock(mirrorPath, async () => {
    const git = createGit({ repository: mirrorRepository(mirrorPath) });
    const registered = (await listWorktrees(mirrorPath)).some((entry) => entry.path === worktreePath);
    const exists = (await stat(worktreePath).catch(() => undefined)) !== undefined;
    try {
      if (exists && !registered) {
        if (!(await belongsTo(worktreePath, mirrorPath))) {
          throw new DevflowError(
            `${worktreePath} is not a worktree of the mirror ${mirrorPath}; not deleting it.`,
            {
              code: "worktree_conflict",
              details: { worktreePath, mirrorPath },
            },
          );
        }
      }
      if (exists) await rm(worktreePath, { recursive: true, force: true });
      // A worktree locked by `git worktree lock` is pruned too: its record goes with its directory.
      for (const adminDir of await findAdminDirs(mirrorPath, worktreePath)) {
        await rm(join(adminDir, "locked"), { force: true });
      }
      await git.raw(["worktree", "prune"]);
    } catch (error) {
      if (isDevflowError(error)) throw error;
      throw gitError(`Could not remove the worktree ${worktreePath}.`, {
        code: "git_failed",
        error,
        details: { worktreePath, mirrorPath },
      });
    }
  });
}

/** Whether the directory's `.git` file points into this mirror's worktrees. */
async function belongsTo(worktreePath: string, mirrorPath: string): Promise<boolean> {
  const dotGit = await readFile(join(worktreePath, ".git"), "utf8").catch(() => "");
  const gitdir = /^gitdir: (.+)$/m.exec(dotGit)?.[1]?.trim();
  if (gitdir === undefined) return false;
  return (await canonicalPath(resolve(worktreePath, gitdir))).startsWith(join(mirrorPath, "worktrees") + sep);
}
