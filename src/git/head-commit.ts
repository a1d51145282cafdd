import { createGit } from "./create-git.js";
import { openWorktree } from "./open-worktree.js";

export interface HeadCommit {
  sha: string;
  /** The whole commit message, trailers included. */
  message: string;
}

/** The commit a run's worktree is on, read through the mirror's record of the worktree. */
export async function headCommit(options: { mirrorPath: string; worktreePath: string }): Promise<HeadCommit> {
  const git = createGit({ repository: await openWorktree(options) });
  const output = await git.raw(["log", "-1", "--format=%H%n%B"]);
  const newline = output.indexOf("\n");
  return { sha: output.slice(0, newline).trim(), message: output.slice(newline + 1) };
}
