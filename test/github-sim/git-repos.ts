// The simulator's bare repositories: created with files, read for the contents API and pull requests,
// and snapshotted around pushes. Real git, no global or system config of the machine leaks in.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** Environment for every git the simulator runs (and for git http-backend). */
export function gitEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: tmpdir(),
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_AUTHOR_NAME: "GitHub Simulator",
    GIT_AUTHOR_EMAIL: "simulator@github.invalid",
    GIT_COMMITTER_NAME: "GitHub Simulator",
    GIT_COMMITTER_EMAIL: "simulator@github.invalid",
    ...extra,
  };
}

export function git(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  return new Promise<string>((resolve, reject) => {
    execFile(
      "git",
      args,
      { cwd: options.cwd, env: gitEnv(options.env), maxBuffer: 64 << 20 },
      (err, out, errOut) =>
        err ? reject(new Error(`git ${args.join(" ")}: ${errOut || err.message}`)) : resolve(out),
    );
  });
}

/** Creates a bare repository and, when files are given, one commit holding them on the default branch. */
export async function initBareRepository(
  gitDir: string,
  defaultBranch: string,
  files: Record<string, string>,
) {
  await mkdir(dirname(gitDir), { recursive: true });
  await git(["init", "--quiet", "--bare", "-b", defaultBranch, gitDir]);
  // GitHub runs no gc or maintenance process after each push it receives; git would, here.
  await git(["-C", gitDir, "config", "receive.autogc", "false"]);
  if (Object.keys(files).length > 0) await commitFiles(gitDir, defaultBranch, files, "Initial commit");
}

/** Commits files (path → content) on top of a branch of a bare repository; returns the new commit SHA. */
export async function commitFiles(
  gitDir: string,
  branch: string,
  files: Record<string, string>,
  message: string,
  startPoint?: string,
) {
  const work = await mkdtemp(join(tmpdir(), "github-sim-work-"));
  const env = { GIT_DIR: gitDir, GIT_WORK_TREE: work, GIT_INDEX_FILE: join(work, ".sim-index") };
  try {
    const current = await resolveRef(gitDir, `refs/heads/${branch}`);
    const parent = current ?? (startPoint ? await resolveRef(gitDir, `refs/heads/${startPoint}`) : undefined);
    if (parent) await git(["read-tree", parent], { env });
    for (const [path, content] of Object.entries(files)) {
      await mkdir(dirname(join(work, path)), { recursive: true });
      await writeFile(join(work, path), content);
      await git(["update-index", "--add", "--", path], { cwd: work, env });
    }
    const tree = (await git(["write-tree"], { env })).trim();
    const commit = (
      await git(["commit-tree", tree, "-m", message, ...(parent ? ["-p", parent] : [])], { env })
    ).trim();
    await git(["update-ref", `refs/heads/${branch}`, commit, current ?? ""], { env });
    return commit;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The object a ref or revision names, or undefined. */
export async function resolveRef(gitDir: string, rev: string): Promise<string | undefined> {
  try {
    return (await git(["--git-dir", gitDir, "rev-parse", "--verify", "--quiet", `${rev}^{commit}`])).trim();
  } catch {
    return undefined;
  }
}

export async function commitExists(gitDir: string, sha: string): Promise<boolean> {
  if (!/^[0-9a-f]{40}$/.test(sha)) return false;
  return (await resolveRef(gitDir, sha)) === sha;
}

/** All refs and their SHAs (for recording what a push changed). */
export async function refSnapshot(gitDir: string): Promise<Map<string, string>> {
  const out = await git(["--git-dir", gitDir, "for-each-ref", "--format=%(refname) %(objectname)"]);
  return new Map(
    out
      .split("\n")
      .filter(Boolean)
      .map((line) => line.split(" ") as [string, string]),
  );
}

export interface TreeEntry {
  mode: string;
  type: "blob" | "tree" | "commit";
  sha: string;
  size: number;
  path: string;
}

/** The entry at `path` in a commit, and for a tree its children; undefined when absent. */
export async function readPath(gitDir: string, commit: string, path: string) {
  const clean = path.replace(/^\/+|\/+$/g, "");
  if (clean === "") return { entry: undefined, children: await lsTree(gitDir, commit, "") };
  const [entry] = await lsTree(gitDir, commit, clean, false);
  if (!entry || entry.path !== clean) return undefined;
  const children = entry.type === "tree" ? await lsTree(gitDir, commit, `${clean}/`) : [];
  return { entry, children };
}

export async function readBlob(gitDir: string, sha: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile(
      "git",
      ["--git-dir", gitDir, "cat-file", "blob", sha],
      { env: gitEnv(), encoding: "buffer", maxBuffer: 256 << 20 },
      (err, out) => (err ? reject(err) : resolve(out)),
    );
  });
}

async function lsTree(gitDir: string, commit: string, path: string, children = true): Promise<TreeEntry[]> {
  const args = ["--git-dir", gitDir, "ls-tree", "-l", "-z", commit];
  const out = await git(children && path === "" ? args : [...args, "--", path]);
  return out
    .split("\0")
    .filter(Boolean)
    .map((line) => {
      const [meta = "", entryPath = ""] = line.split("\t");
      const [mode = "", type = "", sha = "", size = "-"] = meta.split(/\s+/);
      return {
        mode,
        type: type as TreeEntry["type"],
        sha,
        size: size === "-" ? 0 : Number(size),
        path: entryPath,
      };
    });
}

/** Counts commits of `head` not on `base` (a pull request's `commits`). */
export async function commitsBetween(gitDir: string, base: string, head: string): Promise<number> {
  const out = await git(["--git-dir", gitDir, "rev-list", "--count", `${base}..${head}`]);
  return Number(out.trim());
}

/** Lines added and deleted and files changed from `base` to `head` (a pull request's diff stats). */
export async function diffStat(gitDir: string, base: string, head: string) {
  const out = await git(["--git-dir", gitDir, "diff", "--numstat", base, head]).catch(() => "");
  const rows = out.split("\n").filter(Boolean);
  let additions = 0;
  let deletions = 0;
  for (const row of rows) {
    const [added = "0", deleted = "0"] = row.split("\t");
    additions += Number(added) || 0;
    deletions += Number(deleted) || 0;
  }
  return { additions, deletions, changedFiles: rows.length };
}
