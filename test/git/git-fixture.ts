// Real git for the git tests: a temporary "remote" (a bare repository with commits pushed from a clone,
// its path as the clone URL) and a HOME with no git config, so nothing here leans on the machine's.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Used by the tests' own git commands only; devflow's commands must not need any of it. */
const TEST_PERSON = {
  GIT_AUTHOR_NAME: "Test Person",
  GIT_AUTHOR_EMAIL: "test@example.com",
  GIT_COMMITTER_NAME: "Test Person",
  GIT_COMMITTER_EMAIL: "test@example.com",
};

export async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run("git", args, { cwd, env: { ...process.env, ...TEST_PERSON } });
  return stdout.trim();
}

/** A temporary directory and an empty HOME for this test file; returns the cleanup. */
export async function isolate(): Promise<{ root: string; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), "devflow-git-"));
  const home = join(root, "home");
  await mkdir(home);
  const saved = { HOME: process.env.HOME, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME };
  process.env.HOME = home;
  delete process.env.XDG_CONFIG_HOME;
  return {
    root,
    cleanup: async () => {
      Object.assign(process.env, saved);
      if (saved.XDG_CONFIG_HOME === undefined) delete process.env.XDG_CONFIG_HOME;
      await rm(root, { recursive: true, force: true });
    },
  };
}

export interface TestRemote {
  /** The clone URL: the bare repository's path. */
  url: string;
  /** Commits the files (path → content) on `branch` (made from the current one if new) and pushes it. */
  commit(files: Record<string, string>, message: string, branch?: string): Promise<string>;
  /** The commit `ref` names in the remote, or "" when there is none. */
  sha(ref: string): Promise<string>;
}

export async function createRemote(root: string, name = "remote"): Promise<TestRemote> {
  const url = join(root, `${name}.git`);
  const work = join(root, `${name}-author`);
  await git(root, "init", "--quiet", "--bare", "--initial-branch=main", url);
  await git(url, "config", "receive.autogc", "false"); // the remote's side of a push: no gc after each
  await git(root, "init", "--quiet", "--initial-branch=main", work);
  const remote: TestRemote = {
    url,
    async commit(files, message, branch = "main") {
      await git(work, "checkout", "--quiet", branch).catch(() =>
        git(work, "checkout", "--quiet", "-b", branch),
      );
      for (const [path, content] of Object.entries(files)) {
        await mkdir(dirname(join(work, path)), { recursive: true });
        await writeFile(join(work, path), content);
      }
      await git(work, "add", "--all");
      await git(work, "commit", "--quiet", "--allow-empty", "--message", message);
      await git(work, "push", "--quiet", "--force", url, `HEAD:refs/heads/${branch}`);
      return git(work, "rev-parse", "HEAD");
    },
    async sha(ref) {
      return git(url, "rev-parse", "--verify", "--quiet", ref).catch(() => "");
    },
  };
  await remote.commit({ "README.md": "# demo\n" }, "Initial commit");
  return remote;
}
