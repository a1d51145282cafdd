// An agent with a shell runs `git config …` in its worktree: that writes the mirror's config, which
// devflow's own git shares. devflow must refuse to run git on it, say which key it found (never its
// value), and the planted command must never run.
import { mkdir, readFile, stat, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commitCheckpoint, createRunWorktree, diffStat, openWorktree } from "../../src/git/index.js";
import { runGitProcess } from "../../src/git/run-git-process.js";
import { createRemote, git, isolate, type TestRemote } from "./git-fixture.js";
import { exists, newHostileRun, refusedAsTampered } from "./hostile-fixture.js";

const PLANTED = "PLANTED-COMMAND-RAN";
let root: string;
let cleanup: () => Promise<void>;
let remote: TestRemote;
beforeAll(async () => {
  ({ root, cleanup } = await isolate());
  remote = await createRemote(root);
});
afterAll(() => cleanup());

describe("devflow's git and a config the agent wrote", () => {
  it("refuses to commit after the agent set core.fsmonitor from its worktree, and the command never runs", async () => {
    const run = await newHostileRun(root, remote);
    // What the agent types: plain `git config` in its worktree, which lands in the shared mirror config.
    await git(run.worktreePath, "config", "core.fsmonitor", run.plant);
    expect(await git(run.mirrorPath, "config", "--get", "core.fsmonitor")).toBe(run.plant);
    await writeFile(join(run.worktreePath, "work.txt"), "the agent's work\n");

    const refusal = await refusedAsTampered(commitCheckpoint({ ...run, message: "devflow: spec" }), PLANTED);
    expect(refusal.message).toContain("`core.fsmonitor`");
    expect(refusal.message).toContain(run.mirrorPath);
    expect(refusal.recoveryHint).toContain("--unset-all");
    expect(await exists(run.marker)).toBe(false);
  });

  it("refuses a filter driver the agent configured for its .gitattributes, on commit and on a new worktree", async () => {
    const run = await newHostileRun(root, remote);
    await writeFile(join(run.worktreePath, ".gitattributes"), "* filter=helpful\n");
    await writeFile(join(run.worktreePath, "work.txt"), "the agent's work\n");
    await git(run.worktreePath, "config", "filter.helpful.clean", run.plant);
    await git(run.worktreePath, "config", "filter.helpful.smudge", run.plant);

    const onCommit = await refusedAsTampered(commitCheckpoint({ ...run, message: "x" }), PLANTED);
    expect(onCommit.message).toContain("`filter.helpful.clean`");
    // A later run on the same mirror checks out files (smudge): refused too.
    const later = createRunWorktree({
      mirrorPath: run.mirrorPath,
      worktreePath: join(root, "later", "main"),
      branch: `${run.branch}-later`,
      baseBranch: "main",
    });
    await refusedAsTampered(later, PLANTED);
    expect(await exists(run.marker)).toBe(false);
  });

  it("refuses an include.path or includeIf that would pull in a config of the agent's", async () => {
    const run = await newHostileRun(root, remote);
    const planted = join(root, "planted.gitconfig");
    await writeFile(planted, `[core]\n\tfsmonitor = "${run.plant}"\n`);
    await git(run.worktreePath, "config", "include.path", planted);
    const refusal = await refusedAsTampered(diffStat({ ...run, baseRef: "origin/main" }), PLANTED);
    expect(refusal.message).toContain("`include.path`");

    await git(run.mirrorPath, "config", "--unset", "include.path");
    await git(run.worktreePath, "config", `includeIf.gitdir:${root}/.path`, planted);
    const conditional = await refusedAsTampered(commitCheckpoint({ ...run, message: "x" }), PLANTED);
    expect(conditional.message).toContain("includeif.gitdir:");
    expect(await exists(run.marker)).toBe(false);
  });

  it("refuses a per-worktree config.worktree, with or without extensions.worktreeConfig", async () => {
    const run = await newHostileRun(root, remote);
    const { gitDir } = await openWorktree(run);
    await writeFile(join(gitDir, "config.worktree"), `[core]\n\tfsmonitor = "${run.plant}"\n`);
    const alone = await refusedAsTampered(commitCheckpoint({ ...run, message: "x" }), PLANTED);
    expect(alone.message).toContain("config.worktree");

    await git(run.mirrorPath, "config", "extensions.worktreeConfig", "true");
    const extension = await refusedAsTampered(commitCheckpoint({ ...run, message: "x" }), PLANTED);
    expect(extension.message).toContain("`extensions.worktreeconfig`");
    expect(await exists(run.marker)).toBe(false);
  });

  it("refuses a config changed after devflow had found it trusted, even one kept at its size and mtime", async () => {
    // devflow remembers a config it checked (trusted-config.ts) once the file has held still a while.
    const run = await newHostileRun(root, remote);
    const configPath = join(run.mirrorPath, "config");
    await sleep(2_100);
    await diffStat({ ...run, baseRef: "origin/main" });
    await diffStat({ ...run, baseRef: "origin/main" }); // found trusted, and remembered
    // The agent swaps one allowed value for a planted key of the same length, and puts the mtime back.
    const original = await readFile(configPath, "utf8");
    const { mtime } = await stat(configPath);
    const key = "\tbare = true\n";
    expect(original).toContain(key);
    const planted = original.replace(key, "\tpager = cat\n");
    expect(planted.length).toBe(original.length);
    await writeFile(configPath, planted);
    await utimes(configPath, mtime, mtime);
    expect((await stat(configPath)).size).toBe(Buffer.byteLength(original));

    const refusal = await refusedAsTampered(diffStat({ ...run, baseRef: "origin/main" }));
    expect(refusal.message).toContain("`core.pager`");
  });

  it("refuses a remote.origin.fetch that would write into the run branches", async () => {
    const run = await newHostileRun(root, remote);
    await git(run.mirrorPath, "config", "remote.origin.fetch", "+refs/heads/*:refs/heads/*");
    const refusal = await refusedAsTampered(commitCheckpoint({ ...run, message: "x" }));
    expect(refusal.message).toContain("a value for `remote.origin.fetch`");
  });

  it("even a command that skipped the check would run no fsmonitor and no hook: the forced settings win", async () => {
    const run = await newHostileRun(root, remote);
    await git(run.worktreePath, "config", "core.fsmonitor", run.plant);
    const hooks = join(root, "agent-hooks");
    await mkdir(hooks, { recursive: true });
    for (const hook of ["post-index-change", "pre-commit", "post-commit", "reference-transaction"]) {
      await writeFile(join(hooks, hook), `#!/bin/sh\n${run.plant}\n`, { mode: 0o755 });
    }
    await git(run.worktreePath, "config", "core.hooksPath", hooks);
    await writeFile(join(run.worktreePath, "work.txt"), "the agent's work\n");
    // Straight to git with devflow's environment, as a command the check missed would run.
    const repository = await openWorktree(run);
    const env = {
      GIT_AUTHOR_NAME: "devflow",
      GIT_AUTHOR_EMAIL: "devflow@example.com",
      GIT_COMMITTER_NAME: "devflow",
      GIT_COMMITTER_EMAIL: "devflow@example.com",
    };
    const cwd = run.worktreePath;
    const results = [];
    for (const args of [["add", "--all"], ["status"], ["commit", "--quiet", "--message", "x"]]) {
      results.push(await runGitProcess(args, { repository, cwd, env }));
    }
    expect(await exists(run.marker)).toBe(false);
    expect(results.map(({ code, stderr }) => [code, stderr])).toEqual([
      [0, ""],
      [0, ""],
      [0, ""],
    ]);
  });
});
