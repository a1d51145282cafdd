// The one way devflow runs git. A client for a repository checks, before every command, that nothing an
// agent could write has been planted in it (trusted-config.ts, open-worktree.ts), then runs git on exactly
// that repository with devflow's environment (git-environment.ts). A client for no repository runs the
// few commands that need none (check-ref-format, init of a new mirror) from `/`.
import type { GitEnvironmentOptions } from "./git-environment.js";
import type { GitRepository } from "./git-repository.js";
import { assertWorktreeRecord } from "./open-worktree.js";
import { GitCommandError, type GitProcessResult, runGitProcess } from "./run-git-process.js";
import { assertTrustedConfig } from "./trusted-config.js";

export interface Git {
  /** Runs git; its stdout, or a GitCommandError carrying git's stderr when it exits non-zero. */
  raw(args: readonly string[], input?: string): Promise<string>;
  /** Runs git; its exit code and output, whatever the code (for commands whose code is an answer). */
  run(args: readonly string[], input?: string): Promise<GitProcessResult>;
}

export interface CreateGitOptions extends Omit<GitEnvironmentOptions, "repository"> {
  /** The repository, addressed explicitly; absent only for commands that need none. */
  repository?: GitRepository;
}

export function createGit({ repository, ...environment }: CreateGitOptions): Git {
  const run = async (args: readonly string[], input?: string) => {
    if (repository) {
      await assertTrustedConfig(repository);
      await assertWorktreeRecord(repository);
    }
    return runGitProcess(args, {
      ...environment,
      ...(repository ? { repository } : {}),
      ...(input !== undefined ? { input } : {}),
      cwd: repository ? (repository.workTree ?? repository.gitDir) : "/",
    });
  };
  return {
    run,
    async raw(args, input) {
      const result = await run(args, input);
      if (result.code !== 0) throw new GitCommandError(args, result.code, result.stderr);
      return result.stdout;
    },
  };
}
