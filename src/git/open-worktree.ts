// A run's worktree as devflow's git addresses it: the admin directory `<mirror>/worktrees/<name>` that
// `git worktree add` made in devflow's mirror — found by its `gitdir` back-pointer, never through the
// worktree's own `.git` file, which is a plain file the agent can rewrite.
import { lstat, readdir, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { DevflowError } from "../errors/index.js";
import { canonicalPath } from "./canonical-path.js";
import type { GitRepository } from "./git-repository.js";
import { tampered } from "./trusted-config.js";

export interface OpenWorktreeOptions {
  mirrorPath: string;
  worktreePath: string;
}

/** The worktree's repository, or `worktree_conflict` when the mirror has no record of it. */
export async function openWorktree(options: OpenWorktreeOptions): Promise<GitRepository> {
  const commonDir = await canonicalPath(options.mirrorPath);
  const workTree = await canonicalPath(options.worktreePath);
  const found = await findAdminDirs(commonDir, workTree);
  if (found.length === 0) {
    throw new DevflowError(`${workTree} is not a worktree of the mirror ${commonDir}.`, {
      code: "worktree_conflict",
      details: { worktreePath: workTree, mirrorPath: commonDir },
    });
  }
  if (found.length > 1) {
    throw tampered(
      `More than one record in the mirror ${commonDir} claims the worktree ${workTree}: devflow made one.`,
      join(commonDir, "worktrees"),
      { records: found },
    );
  }
  const repository = { gitDir: found[0] as string, commonDir, workTree };
  await assertWorktreeRecord(repository);
  return repository;
}

/** The admin directories whose `gitdir` names `<workTree>/.git` (both paths canonical). */
export async function findAdminDirs(commonDir: string, workTree: string): Promise<string[]> {
  const worktreesDir = join(commonDir, "worktrees");
  const names = await readdir(worktreesDir).catch(() => [] as string[]);
  const found: string[] = [];
  for (const name of names) {
    const adminDir = join(worktreesDir, name);
    if ((await readSmallFile(join(adminDir, "gitdir")))?.trim() === join(workTree, ".git")) {
      found.push(adminDir);
    }
  }
  return found;
}

/**
 * Throws `git_config_tampered` unless the worktree and its record still point at each other: the record's
 * `gitdir` names `<workTree>/.git`, and that `.git` is a plain file saying `gitdir: <record>`. devflow's
 * git never reads the `.git` file, but the agent's own git does: a rewritten one is not devflow's worktree.
 */
export async function assertWorktreeRecord({ gitDir, commonDir, workTree }: GitRepository): Promise<void> {
  if (workTree === undefined) return;
  // git reads refs through the record's `commondir` file even when GIT_COMMON_DIR is set: it must name
  // the mirror, or the run's commits would land in a repository of someone else's.
  const common = (await readSmallFile(join(gitDir, "commondir")))?.trim();
  if (common === undefined || resolve(gitDir, common) !== commonDir) {
    throw tampered(
      `The mirror's record ${gitDir} no longer points to the mirror ${commonDir} (its commondir file was changed): someone other than devflow changed it.`,
      join(gitDir, "commondir"),
      { problem: "commondir" },
    );
  }
  const dotGit = join(workTree, ".git");
  if ((await readSmallFile(join(gitDir, "gitdir")))?.trim() !== dotGit) {
    throw tampered(
      `The mirror's record ${gitDir} no longer points to the worktree ${workTree}: someone other than devflow changed it.`,
      join(gitDir, "gitdir"),
      { problem: "gitdir" },
    );
  }
  const pointer = await readSmallFile(dotGit);
  if (pointer?.trim() !== `gitdir: ${gitDir}`) {
    throw tampered(
      `The worktree's .git file (${dotGit}) no longer points to devflow's record of it (${gitDir}): someone other than devflow (most likely the run's agent) replaced it.`,
      dotGit,
      { problem: ".git" },
    );
  }
}

/** A regular file's text (not through a symlink), or undefined when it is missing, odd or large. */
async function readSmallFile(path: string): Promise<string | undefined> {
  const info = await lstat(path).catch(() => undefined);
  if (!info?.isFile() || info.size > 4096) return undefined;
  return readFile(path, "utf8").catch(() => undefined);
}
