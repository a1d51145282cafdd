// Removes a run's worktree and its registration in the mirror. Idempotent: a worktree already gone (or
// never made) is fine. The run branch stays in the mirror; its progress lives in the pushed checkpoints.
// A directory at the path that is not a worktree of this mirror is never deleted.
import { readFile, rm, stat } from "node:fs/promises";
import { join, resolve, sep } from "node:path";
import { DevflowError } from "../errors/index.js";
import { canonicalPath } from "./canonical-path.js";
import { createGit } from "./create-git.js";
import { gitError } from "./git-error.js";
import { listWorktrees } from "./list-worktrees.js";
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
    const git = createGit({ baseDir: mirrorPath });
    const registered = (await listWorktrees(mirrorPath)).some((entry) => entry.path === worktreePath);
    const exists = (await stat(worktreePath).catch(() => undefined)) !== undefined;
    try {
      if (registered && exists) {
        // Twice --force: also removes a worktree with changes, or one locked by `git worktree lock`.
        await git.raw(["worktree", "remove", "--force", "--force", worktreePath]);
      } else if (exists) {
        if (!(await belongsTo(worktreePath, mirrorPath))) {
          throw new DevflowError(
            `${worktreePath} is not a worktree of the mirror ${mirrorPath}; not deleting it.`,
            {
              code: "worktree_conflict",
              details: { worktreePath, mirrorPath },
            },
          );
        }
        await rm(worktreePath, { recursive: true, force: true });
      }
      await git.raw(["worktree", "prune"]);
    } catch (error) {
      if (error instanceof DevflowError) throw error;
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
