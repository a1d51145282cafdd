// What a run changed, for the final report: the run branch's head against where it left the base
// (`base...HEAD`, as a pull request shows it), so later commits on the base do not count as the run's.
import { DevflowError, isDevflowError } from "../errors/index.js";
import { createGit } from "./create-git.js";
import { gitError } from "./git-error.js";
import { openWorktree } from "./open-worktree.js";
import { resolveCommit } from "./resolve-commit.js";

export interface DiffStatOptions {
  /** The mirror the worktree was made from (devflow's record of it). */
  mirrorPath: string;
  worktreePath: string;
  /** e.g. `origin/main`, or a commit SHA. */
  baseRef: string;
}

export interface DiffStat {
  files: number;
  insertions: number;
  deletions: number;
  /** `git diff --stat` as a person reads it; "" when nothing changed. */
  text: string;
  /** Each file with its lines added and removed (a binary file counts 0), in git's order. */
  paths: DiffStatPath[];
}

export interface DiffStatPath {
  /** The path; a rename reads `from => to`. */
  path: string;
  insertions: number;
  deletions: number;
}

export async function diffStat({ mirrorPath, worktreePath, baseRef }: DiffStatOptions): Promise<DiffStat> {
  const git = createGit({ repository: await openWorktree({ mirrorPath, worktreePath }) });
  const base = await resolveCommit(git, baseRef).catch((error: unknown) => {
    if (isDevflowError(error)) throw error; // refused before git ran (git_config_tampered)
    return undefined;
  });
  if (base === undefined) {
    throw new DevflowError(
      `The base "${baseRef}" to compare the run with does not exist in ${worktreePath}.`,
      {
        code: "base_branch_not_found",
        details: { baseRef, worktreePath },
      },
    );
  }
  const range = `${base}...HEAD`;
  const plain = ["diff", "--no-color", "--no-ext-diff", "--no-textconv"];
  try {
    const [numstat, text] = await Promise.all([
      git.raw([...plain, "--numstat", "-z", range]),
      git.raw([...plain, "--stat=100", range]),
    ]);
    const paths: DiffStatPath[] = [];
    // -z: "<added>\t<deleted>\t<path>\0", or "<added>\t<deleted>\t\0<from>\0<to>\0" for a rename;
    // a binary file counts "-" lines.
    const fields = numstat.split("\0");
    for (let index = 0; index < fields.length; index += 1) {
      const match = /^(\d+|-)\t(\d+|-)\t(.*)$/s.exec(fields[index] ?? "");
      if (!match) continue;
      let path = match[3] ?? "";
      if (path === "") {
        path = `${fields[index + 1] ?? ""} => ${fields[index + 2] ?? ""}`;
        index += 2; // past the rename's two paths
      }
      const count = (value: string | undefined) => (value === "-" ? 0 : Number(value));
      paths.push({ path, insertions: count(match[1]), deletions: count(match[2]) });
    }
    const sum = (key: "insertions" | "deletions") => paths.reduce((total, entry) => total + entry[key], 0);
    return {
      files: paths.length,
      insertions: sum("insertions"),
      deletions: sum("deletions"),
      text: text.trimEnd(),
      paths,
    };
  } catch (error) {
    if (isDevflowError(error)) throw error;
    throw gitError(`Could not compare ${worktreePath} with ${baseRef}.`, {
      code: "git_failed",
      error,
      details: { worktreePath, baseRef },
    });
  }
}
