// As root, devflow hands the agent's writable paths to the sandbox uid before each launch. An agent that
// plants symlinks to root's files in its worktree between two prompts must not get them handed over: the
// hand-over changes links, never what they point to (and runs where nothing else is visible). devflow
// keeps the worktree's top directory and its .git, so its own git still works there.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { lstat, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { execRun, removeRunFolders, sent, stopStartedSessions, untilExited } from "./exec-agent-runs.js";

afterEach(stopStartedSessions);
afterAll(removeRunFolders);

describe.runIf(process.getuid?.() === 0)("handing the worktree to the sandbox uid (devflow as root)", () => {
  it("never follows a planted symlink to a file outside, and leaves the top directory and .git to devflow", async () => {
    const outside = mkdtempSync(join(tmpdir(), "devflow-victim-"));
    const victim = join(outside, "victim.txt");
    const victimDir = join(outside, "victim-dir");
    writeFileSync(victim, "root's\n", { mode: 0o600 });
    mkdirSync(victimDir);
    writeFileSync(join(victimDir, "inner.txt"), "root's\n");
    // The agent plants links to root's files in its worktree, at each prompt.
    const script = `ln -sf ${victim} evil; ln -sfn ${victimDir} evil-dir; echo mine > mine.txt`;
    const planting = await execRun({ command: ["/bin/sh", "-c", script] });
    execFileSync("git", ["init", "-q", planting.worktree]);
    await sent(planting, "ok", 0);
    await untilExited(planting.adapter, planting.handle);
    await sent(planting, "ok", 1); // the second launch hands the worktree over again, links included
    await untilExited(planting.adapter, planting.handle);

    expect((await lstat(join(planting.worktree, "evil"))).isSymbolicLink()).toBe(true);
    expect((await stat(victim)).uid).toBe(0);
    expect((await stat(join(victimDir, "inner.txt"))).uid).toBe(0);
    expect((await stat(join(planting.worktree, "mine.txt"))).uid).toBe(65534);
    const top = await stat(planting.worktree);
    expect([top.uid, top.gid, top.mode & 0o777]).toEqual([0, 65534, 0o775]);
    expect((await stat(join(planting.worktree, ".git"))).uid).toBe(0);
    // devflow's git, as root, still works in the handed-over worktree.
    rmSync(outside, { recursive: true, force: true });
    expect(
      execFileSync("git", ["-C", planting.worktree, "status", "--porcelain"], { encoding: "utf8" }),
    ).toContain("mine.txt");
  });
});
