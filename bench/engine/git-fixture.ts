// The repository the bench's runs work on (a bare "remote" with one commit on main, as the tests'
// createGitRemote makes), and a probe that times devflow's own git steps alone on an idle machine.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { commitCheckpoint, createRunWorktree, ensureMirror, pushCheckpoint } from "../../src/git/index.js";
import { mean } from "./stats.js";

const identity = ["-c", "user.name=devflow bench", "-c", "user.email=bench@devflow.invalid"];

/** A bare repository under `root` with one commit on `main`; its path is the clone URL. */
export function createGitRemote(root: string): string {
  const bare = join(root, "origin.git");
  const work = join(root, "seed");
  execFileSync("git", ["init", "--bare", "-b", "main", bare], { stdio: "ignore" });
  execFileSync("git", ["init", "-b", "main", work], { stdio: "ignore" });
  writeFileSync(join(work, "README.md"), "# bench fixture\n");
  execFileSync("git", ["add", "README.md"], { cwd: work, stdio: "ignore" });
  execFileSync("git", [...identity, "commit", "-m", "initial"], { cwd: work, stdio: "ignore" });
  execFileSync("git", ["push", bare, "main"], { cwd: work, stdio: "ignore" });
  return bare;
}

export interface GitProbe {
  /** ensureMirror (fetch) + createRunWorktree, per run. */
  prepareMs: number;
  /** commitCheckpoint + pushCheckpoint, per phase. */
  checkpointMs: number;
  samples: number;
}

/** Times the git work one run does, `samples` times, with nothing else running. */
export async function probeGit(root: string, samples: number): Promise<GitProbe> {
  const remote = createGitRemote(join(root, "remote"));
  const mirrorsDir = join(root, "mirrors");
  const prepare: number[] = [];
  const checkpoint: number[] = [];
  for (let index = 0; index < samples; index++) {
    const branch = `devflow/probe-${index}`;
    const worktreePath = join(root, "workspaces", `probe-${index}`, "main");
    let started = performance.now();
    const mirror = await ensureMirror({ mirrorsDir, repository: remote, cloneUrl: remote });
    await createRunWorktree({ mirrorPath: mirror.path, worktreePath, branch, baseBranch: "main" });
    prepare.push(performance.now() - started);
    mkdirSync(join(worktreePath, "devflow-fake"), { recursive: true });
    writeFileSync(join(worktreePath, "devflow-fake", "note.md"), `probe ${index}\n`);
    started = performance.now();
    await commitCheckpoint({ mirrorPath: mirror.path, worktreePath, message: `probe ${index}` });
    await pushCheckpoint({ mirrorPath: mirror.path, branch, runId: `probe-${index}`, remoteUrl: remote });
    checkpoint.push(performance.now() - started);
  }
  // The first sample clones the mirror: leave it out.
  return { prepareMs: mean(prepare.slice(1)), checkpointMs: mean(checkpoint.slice(1)), samples: samples - 1 };
}
