// A real git "remote" for tests: a bare repository holding one commit on `main`; its path is the clone URL.
import { execFileSync } from "node:child_process";
import { mkdtempSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const identity = ["-c", "user.name=devflow test", "-c", "user.email=test@devflow.invalid"];

export function createGitRemote(): { path: string; cleanupDirs: string[] } {
  const root = realpathSync(mkdtempSync(join(tmpdir(), "devflow-remote-")));
  const bare = join(root, "origin.git");
  const work = join(root, "work");
  execFileSync("git", ["init", "--bare", "-b", "main", bare], { stdio: "ignore" });
  // GitHub's side of a push: no gc or maintenance process started after each one (as git would here).
  execFileSync("git", ["-C", bare, "config", "receive.autogc", "false"], { stdio: "ignore" });
  execFileSync("git", ["init", "-b", "main", work], { stdio: "ignore" });
  writeFileSync(join(work, "README.md"), "# fixture\n");
  execFileSync("git", ["add", "README.md"], { cwd: work, stdio: "ignore" });
  execFileSync("git", [...identity, "commit", "-m", "initial"], { cwd: work, stdio: "ignore" });
  execFileSync("git", ["push", bare, "main"], { cwd: work, stdio: "ignore" });
  return { path: bare, cleanupDirs: [root] };
}

/** The branches of a remote and their head commits. */
export function remoteBranches(path: string): Record<string, string> {
  const out = execFileSync(
    "git",
    ["-C", path, "for-each-ref", "--format=%(refname:short) %(objectname)", "refs/heads"],
    {
      encoding: "utf8",
    },
  );
  return Object.fromEntries(
    out
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((line) => line.split(" ") as [string, string]),
  );
}
