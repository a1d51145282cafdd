// Starts one git process with devflow's environment (git-environment.ts) and collects what it says.
// Plain child_process rather than simple-git: simple-git's guards treat exactly the variables devflow must
// set (GIT_CONFIG_COUNT, GIT_CONFIG_GLOBAL, GIT_ASKPASS …) as unsafe, and it counts a failed command that
// printed nothing as a success; here every exit code is the caller's to read.
import { spawn } from "node:child_process";
import { type GitEnvironmentOptions, gitEnvironment } from "./git-environment.js";

export interface GitProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface GitProcessOptions extends GitEnvironmentOptions {
  /** Working directory: the worktree, the mirror, or `/` for a command on no repository. */
  cwd: string;
  /** Written to git's stdin (for `--stdin` commands); else stdin is empty. */
  input?: string;
}

/** git's stdout and stderr are kept up to this size each; more is dropped (its start for stderr). */
const MAX_OUTPUT = 64 * 1024 * 1024;

export function runGitProcess(
  args: readonly string[],
  { cwd, input, ...environment }: GitProcessOptions,
): Promise<GitProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", args, {
      cwd,
      env: gitEnvironment(environment),
      stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    if (input !== undefined) {
      child.stdin?.on("error", () => {}); // git may exit before reading it all; its exit code says why
      child.stdin?.end(input);
    }
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let stdoutSize = 0;
    let stderrSize = 0;
    child.stdout?.on("data", (chunk: Buffer) => {
      stdoutSize += chunk.length;
      if (stdoutSize <= MAX_OUTPUT) stdout.push(chunk);
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      stderrSize += chunk.length;
      stderr.push(chunk);
      while (stderrSize > MAX_OUTPUT && stderr.length > 1) stderrSize -= stderr.shift()?.length ?? 0;
    });
    child.once("error", reject);
    child.once("close", (code, signal) => {
      if (stdoutSize > MAX_OUTPUT) {
        reject(new GitCommandError(args, -1, `git printed more than ${MAX_OUTPUT} bytes`));
        return;
      }
      resolve({
        code: code ?? (signal ? 128 : -1),
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr: Buffer.concat(stderr).toString("utf8"),
      });
    });
  });
}

/** A git command that failed; its message is git's own (stderr), as people and gitOutput read it. */
export class GitCommandError extends Error {
  override readonly name = "GitCommandError";
  constructor(
    readonly args: readonly string[],
    readonly exitCode: number,
    stderr: string,
  ) {
    super(stderr.trim() || `git ${args[0] ?? ""} exited with code ${exitCode}`);
  }
}
