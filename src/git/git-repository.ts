// How devflow names a repository to git: always explicitly (GIT_DIR, GIT_COMMON_DIR, GIT_WORK_TREE), from
// devflow's own records, never by letting git find a `.git` — a worktree's `.git` file is a plain file in
// the agent's worktree, and `gitdir: <anywhere>` in it would hand git a config of the agent's choosing.

export interface GitRepository {
  /** GIT_DIR: the mirror itself, or a worktree's admin directory `<mirror>/worktrees/<name>`. */
  gitDir: string;
  /** GIT_COMMON_DIR: the mirror (its config, objects and refs). */
  commonDir: string;
  /** GIT_WORK_TREE: the run's worktree; absent for the bare mirror. */
  workTree?: string;
}

export function mirrorRepository(mirrorPath: string): GitRepository {
  return { gitDir: mirrorPath, commonDir: mirrorPath };
}
