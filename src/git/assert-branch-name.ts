import { DevflowError } from "../errors/index.js";
import { createGit } from "./create-git.js";

// Names git accepted already: a run's branch is checked at every step, and git's answer never changes.
const accepted = new Set<string>();
const MAX_REMEMBERED = 10_000;

/** Throws `invalid_branch_name` unless git accepts `branch` as a branch name, exactly as written. */
export async function assertBranchName(branch: string): Promise<void> {
  if (accepted.has(branch)) return;
  // `--normalize` prints the name when valid and nothing (exit 1) when not; it also collapses `//`,
  // so a name is accepted only when it comes back unchanged. A leading `-` would read as an option.
  const ref = `refs/heads/${branch}`;
  const normalized = branch.startsWith("-")
    ? ""
    : (await createGit({}).run(["check-ref-format", "--normalize", ref])).stdout.trim();
  if (normalized !== ref) {
    throw new DevflowError(`"${branch}" is not a valid git branch name.`, {
      code: "invalid_branch_name",
      details: { branch },
    });
  }
  if (accepted.size >= MAX_REMEMBERED) accepted.clear();
  accepted.add(branch);
}
