import type { Git } from "./create-git.js";
import { GitCommandError } from "./run-git-process.js";

/** The commit a ref names, or undefined when there is no such ref (or it names no commit). */
export async function resolveCommit(git: Git, ref: string): Promise<string | undefined> {
  // --verify --quiet exits 1 without a word for a missing ref; anything else that fails is an error.
  const args = ["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`];
  const { code, stdout, stderr } = await git.run(args);
  if (code !== 0 && (code !== 1 || stderr.trim() !== "")) throw new GitCommandError(args, code, stderr);
  const sha = stdout.trim();
  return code === 0 && /^[0-9a-f]{40,64}$/.test(sha) ? sha : undefined;
}
