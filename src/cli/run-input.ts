// Checks what `devflow run` was given before anything is started or written: the repository is a local
// git repository with a branch to start from, the requirements file has text, the agent is one the
// operator defined. Each problem is a bad_input DevflowError saying how to fix it.
import { execFile } from "node:child_process";
import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { promisify } from "node:util";
import type { AgentConfig, ServerConfig } from "../config/index.js";
import { DevflowError } from "../errors/index.js";

const run = promisify(execFile);
const git = (cwd: string, args: string[]) =>
  run("git", ["-C", cwd, ...args], { env: { ...process.env, GIT_TERMINAL_PROMPT: "0" } }).then((r) =>
    r.stdout.trim(),
  );

export interface LocalRepository {
  /** Absolute path of the work tree's top level (the run's repository and clone source). */
  path: string;
  baseBranch: string;
}

export async function checkLocalRepository(
  given: string | undefined,
  base?: string,
): Promise<LocalRepository> {
  const path = resolve(given ?? process.cwd());
  if (!existsSync(path) || !statSync(path).isDirectory()) {
    throw new DevflowError(`No directory ${path}.`, {
      code: "repository_not_found",
      class: "bad_input",
      recoveryHint: "Pass --repo PATH of a local git repository, or run devflow run inside one.",
      details: { path },
    });
  }
  let top: string;
  try {
    top = realpathSync(await git(path, ["rev-parse", "--show-toplevel"]));
  } catch {
    throw new DevflowError(`${path} is not a git repository.`, {
      code: "repository_not_found",
      class: "bad_input",
      recoveryHint: "Run `git init` and commit there first, or pass --repo PATH of a git repository.",
      details: { path },
    });
  }
  const baseBranch = base ?? (await git(top, ["symbolic-ref", "--short", "-q", "HEAD"]).catch(() => ""));
  if (!baseBranch) {
    throw new DevflowError(`${top} has no branch checked out (detached HEAD).`, {
      code: "base_branch_not_found",
      recoveryHint: "Check out the branch the run should start from, or pass --base BRANCH.",
    });
  }
  try {
    await git(top, ["rev-parse", "--verify", "--quiet", `refs/heads/${baseBranch}^{commit}`]);
  } catch {
    throw new DevflowError(`The repository ${top} has no commit on branch "${baseBranch}".`, {
      code: "base_branch_not_found",
      recoveryHint: "Commit something on that branch first, or pass --base with a branch that has commits.",
      details: { baseBranch },
    });
  }
  return { path: top, baseBranch };
}

export function readRequirements(file: string): string {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new DevflowError(
      code === "ENOENT"
        ? `No requirements file ${path}.`
        : `Cannot read the requirements file ${path} (${code}).`,
      { code: "requirements_not_found", details: { path } },
    );
  }
  if (!text.trim()) {
    throw new DevflowError(`The requirements file ${path} is empty.`, {
      code: "requirements_not_found",
      details: { path },
    });
  }
  return text;
}

export function pickAgent(
  config: ServerConfig,
  name: string | undefined,
): { name: string; agent: AgentConfig } {
  const chosen = name ?? config.defaultAgent;
  const agent = config.agents[chosen];
  if (!agent) {
    const defined = Object.keys(config.agents).join(", ") || "none";
    throw new DevflowError(`No agent "${chosen}" in the server config (defined: ${defined}).`, {
      code: "unknown_agent",
      details: { agent: chosen, defined: Object.keys(config.agents) },
    });
  }
  return { name: chosen, agent };
}

export function issueNeedsGitHub(url: string): DevflowError {
  return new DevflowError(`devflow run cannot read the issue ${url}: that needs GitHub credentials.`, {
    code: "issue_needs_github",
    details: { url },
  });
}
