import { isDevflowError } from "../errors/index.js";
import { canonicalPath } from "./canonical-path.js";
import { createGit } from "./create-git.js";
import { gitError } from "./git-error.js";
import { mirrorRepository } from "./git-repository.js";

export interface WorktreeEntry {
  /** Canonical absolute path. */
  path: string;
  head?: string;
  /** Full ref name, e.g. `refs/heads/devflow/42-add-flag`; absent when detached. */
  branch?: string;
  /** Registered, but its directory is gone: `git worktree prune` removes it. */
  prunable: boolean;
}

/** The linked worktrees of a (bare) mirror, from `git worktree list --porcelain`. */
export async function listWorktrees(mirrorPath: string): Promise<WorktreeEntry[]> {
  let output: string;
  try {
    output = await createGit({ repository: mirrorRepository(mirrorPath) }).raw([
      "worktree",
      "list",
      "--porcelain",
    ]);
  } catch (error) {
    if (isDevflowError(error)) throw error; // refused before git ran (git_config_tampered)
    throw gitError(`Could not list the worktrees of the mirror ${mirrorPath}.`, {
      code: "git_failed",
      error,
      details: { mirrorPath },
    });
  }
  const entries: WorktreeEntry[] = [];
  for (const block of output.split(/\n\n+/)) {
    const lines = block.split("\n");
    const path = lines.find((line) => line.startsWith("worktree "))?.slice("worktree ".length);
    if (path === undefined || lines.includes("bare")) continue;
    const entry: WorktreeEntry = { path: await canonicalPath(path), prunable: false };
    for (const line of lines) {
      if (line.startsWith("HEAD ")) entry.head = line.slice("HEAD ".length);
      else if (line.startsWith("branch ")) entry.branch = line.slice("branch ".length);
      else if (line === "prunable" || line.startsWith("prunable ")) entry.prunable = true;
    }
    entries.push(entry);
  }
  return entries;
}
