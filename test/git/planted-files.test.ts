// An agent that can only write files (no shell: Claude's acceptEdits, Gemini's auto_edit) plants what
// devflow's git would read if it found repositories the usual way: a `.git` file pointing to a git
// directory of the agent's, a `commondir` pointing elsewhere, hooks in the mirror's hooks directory.
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  commitCheckpoint,
  createRunWorktree,
  diffStat,
  openWorktree,
  pushCheckpoint,
} from "../../src/git/index.js";
import { runGitProcess } from "../../src/git/run-git-process.js";
import { createRemote, git, isolate, type TestRemote } from "./git-fixture.js";
import { exists, type HostileRun, newHostileRun, refusedAsTampered } from "./hostile-fixture.js";

let root: string;
let cleanup: () => Promise<void>;
let remote: TestRemote;
beforeAll(async () => {
  ({ root, cleanup } = await isolate());
  remote = await createRemote(root);
});
afterAll(() => cleanup());

/** A git directory made with plain file writes, whose config runs the planted command. */
async function plantGitDir(run: HostileRun, dir: string): Promise<void> {
  for (const sub of ["objects", "refs/heads"]) await mkdir(join(dir, sub), { recursive: true });
  await writeFile(join(dir, "HEAD"), "ref: refs/heads/main\n");
  await writeFile(
    join(dir, "config"),
    [
      "[core]",
      "\trepositoryformatversion = 0",
      "\tbare = false",
      `\tworktree = ${run.worktreePath}`,
      `\tfsmonitor = "${run.plant}"`,
      '[filter "helpful"]',
      `\tclean = "${run.plant}"`,
      "",
    ].join("\n"),
  );
  await writeFile(join(run.worktreePath, ".gitattributes"), "* filter=helpful\n");
}

const IDENTITY = {
  GIT_AUTHOR_NAME: "devflow",
  GIT_AUTHOR_EMAIL: "devflow@example.com",
  GIT_COMMITTER_NAME: "devflow",
  GIT_COMMITTER_EMAIL: "devflow@example.com",
};

describe("devflow's git and files the agent planted", () => {
  it("refuses a worktree whose .git file was rewritten to a git directory of the agent's; nothing runs", async () => {
    const run = await newHostileRun(root, remote);
    const planted = join(run.worktreePath, "node_modules", ".cache", "g");
    await plantGitDir(run, planted);
    await writeFile(join(run.worktreePath, ".git"), `gitdir: ${planted}\n`);
    await writeFile(join(run.worktreePath, "work.txt"), "the agent's work\n");

    const refusal = await refusedAsTampered(commitCheckpoint({ ...run, message: "devflow: spec" }));
    expect(refusal.message).toContain(`.git file (${join(run.worktreePath, ".git")})`);
    await refusedAsTampered(diffStat({ ...run, baseRef: "origin/main" }));
    expect(await exists(run.marker)).toBe(false);
  });

  it("never reads the .git file: rewritten after devflow checked it, git still works on devflow's record", async () => {
    const run = await newHostileRun(root, remote);
    const repository = await openWorktree(run);
    // The agent (or a process it left behind) swaps the file between devflow's check and git's start.
    const planted = join(root, "late-gitdir");
    await plantGitDir(run, planted);
    await writeFile(join(run.worktreePath, ".git"), `gitdir: ${planted}\n`);
    await writeFile(join(run.worktreePath, "work.txt"), "the agent's work\n");

    const cwd = run.worktreePath;
    const added = await runGitProcess(["add", "--all"], { repository, cwd, env: IDENTITY });
    const committed = await runGitProcess(["commit", "--quiet", "-m", "x"], {
      repository,
      cwd,
      env: IDENTITY,
    });
    expect(await exists(run.marker)).toBe(false);
    expect([added.code, committed.code]).toEqual([0, 0]);
    // The commit went to devflow's mirror, on the run branch.
    expect(await git(run.mirrorPath, "show", "--name-only", "--format=", run.branch)).toContain("work.txt");
  });

  it("refuses a record whose commondir file points elsewhere, and reads no config from there", async () => {
    const run = await newHostileRun(root, remote);
    const repository = await openWorktree(run);
    const planted = join(root, "planted-common");
    await plantGitDir(run, planted);
    await writeFile(join(repository.gitDir, "commondir"), `${planted}\n`);
    await writeFile(join(run.worktreePath, "work.txt"), "the agent's work\n");

    const refusal = await refusedAsTampered(commitCheckpoint({ ...run, message: "devflow: spec" }));
    expect(refusal.message).toContain("commondir");
    // Past the check (a swap after it), git takes its config from GIT_COMMON_DIR, not the file.
    const cwd = run.worktreePath;
    expect((await runGitProcess(["add", "--all"], { repository, cwd, env: IDENTITY })).code).toBe(0);
    expect(await exists(run.marker)).toBe(false);
  });

  it("runs no hook planted in the mirror's hooks directory: commit, push and a new worktree", async () => {
    const run = await newHostileRun(root, remote);
    const hooks = join(run.mirrorPath, "hooks");
    await mkdir(hooks, { recursive: true });
    const names = [
      "pre-commit",
      "prepare-commit-msg",
      "commit-msg",
      "post-commit",
      "post-index-change",
      "reference-transaction",
      "pre-push",
      "post-checkout",
    ];
    for (const hook of names) {
      await writeFile(join(hooks, hook), `#!/bin/sh\n${run.plant} </dev/null\n`);
      await chmod(join(hooks, hook), 0o755);
    }
    await writeFile(join(run.worktreePath, "work.txt"), "the agent's work\n");

    await commitCheckpoint({ ...run, message: "devflow: spec" });
    await pushCheckpoint({ ...run, remoteUrl: remote.url });
    await createRunWorktree({
      mirrorPath: run.mirrorPath,
      worktreePath: join(root, "next-run", "main"),
      branch: run.branch.replace("hostile", "next"),
      baseBranch: "main",
    });
    expect(await exists(run.marker)).toBe(false);
  });

  it("refuses a core.hooksPath the agent set in the mirror's config", async () => {
    const run = await newHostileRun(root, remote);
    await git(run.worktreePath, "config", "core.hooksPath", join(root, "agent-hooks"));
    const refusal = await refusedAsTampered(commitCheckpoint({ ...run, message: "devflow: spec" }));
    expect(refusal.message).toContain("`core.hookspath`");
  });

  it("runs nothing from a repository the agent nested in its worktree, whose own config plants the command", async () => {
    const run = await newHostileRun(root, remote);
    const nested = join(run.worktreePath, "vendor", "lib");
    await mkdir(nested, { recursive: true });
    await git(nested, "init", "--quiet");
    await writeFile(join(nested, "lib.txt"), "one\n");
    await git(nested, "add", "--all");
    await git(nested, "commit", "--quiet", "-m", "lib");
    await writeFile(join(nested, ".gitattributes"), "* filter=helpful\n");
    await git(nested, "config", "core.fsmonitor", run.plant);
    await git(nested, "config", "filter.helpful.clean", run.plant);

    const seen = [await exists(run.marker)];
    await commitCheckpoint({ ...run, message: "devflow: spec" }); // records the nested repository
    seen.push(await exists(run.marker));
    await writeFile(join(nested, "lib.txt"), "two\n"); // same size: only its content tells
    await commitCheckpoint({ ...run, message: "devflow: implement" });
    seen.push(await exists(run.marker));
    await diffStat({ ...run, baseRef: "origin/main" });
    seen.push(await exists(run.marker));
    expect(seen).toEqual([false, false, false, false]);
  });
});
