import type { SimpleGit } from "simple-git";

/** The commit a ref names, or undefined when there is no such ref (or it names no commit). */
export async function resolveCommit(git: SimpleGit, ref: string): Promise<string | undefined> {
  // --verify --quiet exits 1 without a word for a missing ref, which simple-git treats as success.
  const output = await git.raw(["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`]);
  const sha = output.trim();
  return /^[0-9a-f]{40,64}$/.test(sha) ? sha : undefined;
}
