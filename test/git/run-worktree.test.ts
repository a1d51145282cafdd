import { access, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DevflowError } from "../../src/errors/index.js";
import {
  checkpointRef,
  checkpointTrackingRef,
  commitCheckpoint,
  createRunWorktree,
  ensureMirror,
  pushCheckpoint,
  removeRunWorktree,
} from "../../src/git/index.js";
import { createRemote, git, isolate, type TestRemote } from "./git-fixture.js";

let root: string;
let cleanup: () => Promise<void>;
let remote: TestRemote;
let mirrorPath: string;
beforeAll(async () => {
  ({ root, cleanup } = await isolate());
  remote = await createRemote(root);
  await remote.commit({ "docs/guide.md": "guide\n" }, "Release branch work", "release");
  ({ path: mirrorPath } = await ensureMirror({
    mirrorsDir: join(root, "host-a", "mirrors"),
    repository: "octo/demo",
    cloneUrl: remote.url,
  }));
});
afterAll(() => cleanup());

let runs = 0;
/** A fresh run: its worktree path (`<workspaceRoot>/<runId>/main`) and branch. */
function newRun(host = "host-a") {
  runs += 1;
  return {
    worktreePath: join(root, host, "workspace", `run-${runs}`, "main"),
    branch: `devflow/${runs}-demo`,
  };
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function caught(promise: Promise<unknown>): Promise<DevflowError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(DevflowError);
  return error as DevflowError;
}

describe("createRunWorktree", () => {
  it("creates the worktree at the given path, on the run branch, starting from the base branch", async () => {
    const run = newRun();
    const result = await createRunWorktree({ mirrorPath, ...run, baseBranch: "main" });
    expect(result).toEqual({ headSha: await remote.sha("main"), resumedFromCheckpoint: false });
    expect(await git(run.worktreePath, "rev-parse", "--show-toplevel")).toBe(run.worktreePath);
    expect(await git(run.worktreePath, "symbolic-ref", "HEAD")).toBe(`refs/heads/${run.branch}`);
    expect(await readFile(join(run.worktreePath, "README.md"), "utf8")).toBe("# demo\n");
  });

  it("starts from any base branch the repository has", async () => {
    const run = newRun();
    const result = await createRunWorktree({ mirrorPath, ...run, baseBranch: "release" });
    expect(result.headSha).toBe(await remote.sha("release"));
    expect(await exists(join(run.worktreePath, "docs", "guide.md"))).toBe(true);
  });

  it("returns the existing worktree as it is when called again, keeping uncommitted work", async () => {
    const run = newRun();
    const first = await createRunWorktree({ mirrorPath, ...run, baseBranch: "main" });
    await writeFile(join(run.worktreePath, "draft.md"), "half-done\n");
    const { sha } = await commitCheckpoint({
      mirrorPath,
      worktreePath: run.worktreePath,
      message: "Phase 1",
    });
    await writeFile(join(run.worktreePath, "wip.md"), "not committed\n");

    const again = await createRunWorktree({ mirrorPath, ...run, baseBranch: "main" });
    expect(again).toEqual({ headSha: sha, resumedFromCheckpoint: false });
    expect(again.headSha).not.toBe(first.headSha);
    expect(await readFile(join(run.worktreePath, "wip.md"), "utf8")).toBe("not committed\n");
  });

  it("prunes a worktree whose directory was deleted and creates it again from the run branch", async () => {
    const run = newRun();
    await createRunWorktree({ mirrorPath, ...run, baseBranch: "main" });
    await writeFile(join(run.worktreePath, "kept.md"), "committed\n");
    const { sha } = await commitCheckpoint({
      mirrorPath,
      worktreePath: run.worktreePath,
      message: "Phase 1",
    });
    await rm(join(run.worktreePath, ".."), { recursive: true, force: true });

    const again = await createRunWorktree({ mirrorPath, ...run, baseBranch: "main" });
    expect(again).toEqual({ headSha: sha, resumedFromCheckpoint: true });
    expect(await readFile(join(run.worktreePath, "kept.md"), "utf8")).toBe("committed\n");
  });

  it("resumes on another host from the run's checkpoint ref, or from its branch when a person pushed on top", async () => {
    const run = newRun();
    const runId = `resume-${runs}`;
    await createRunWorktree({ mirrorPath, ...run, baseBranch: "main" });
    await writeFile(join(run.worktreePath, "spec.md"), "the spec\n");
    const spec = await commitCheckpoint({ mirrorPath, worktreePath: run.worktreePath, message: "Spec" });
    await pushCheckpoint({ mirrorPath, branch: run.branch, runId, moveBranch: true, remoteUrl: remote.url });
    await writeFile(join(run.worktreePath, "code.ts"), "export {};\n");
    const implement = await commitCheckpoint({ mirrorPath, worktreePath: run.worktreePath, message: "Code" });
    await pushCheckpoint({ mirrorPath, branch: run.branch, runId, remoteUrl: remote.url });
    expect(await remote.sha(`refs/heads/${run.branch}`)).toBe(spec.sha); // the branch stayed at the gate

    // Host B: its own mirrors and workspace, the same run.
    const onHostB = async (name: string) => {
      const hostB = await ensureMirror({
        mirrorsDir: join(root, name, "mirrors"),
        repository: "octo/demo",
        cloneUrl: remote.url,
        branches: ["main", run.branch],
        refs: [{ remote: checkpointRef(runId), local: checkpointTrackingRef(runId) }],
      });
      const worktreePath = join(root, name, "workspace", "resumed", "main");
      const resumed = await createRunWorktree({
        mirrorPath: hostB.path,
        worktreePath,
        branch: run.branch,
        baseBranch: "main",
        checkpointRef: checkpointTrackingRef(runId),
      });
      return { resumed, worktreePath };
    };
    const b = await onHostB("host-b");
    expect(b.resumed).toEqual({ headSha: implement.sha, resumedFromCheckpoint: true });
    expect(await readFile(join(b.worktreePath, "code.ts"), "utf8")).toBe("export {};\n");

    // A person pushes a commit on top of the checkpoint to the run's branch: the branch is further.
    const work = join(root, "person");
    await git(root, "clone", "--quiet", "--branch", run.branch, remote.url, work);
    await git(work, "fetch", "--quiet", "origin", checkpointRef(runId));
    await git(work, "merge", "--quiet", "--ff-only", "FETCH_HEAD");
    await writeFile(join(work, "fix.md"), "by hand\n");
    await git(work, "add", "fix.md");
    await git(work, "commit", "--quiet", "-m", "By hand");
    await git(work, "push", "--quiet", "origin", `HEAD:refs/heads/${run.branch}`);
    const byHand = await git(work, "rev-parse", "HEAD");
    const c = await onHostB("host-c");
    expect(c.resumed).toEqual({ headSha: byHand, resumedFromCheckpoint: true });
  });

  it("names the missing base branch and the branches the repository has", async () => {
    const error = await caught(createRunWorktree({ mirrorPath, ...newRun(), baseBranch: "develop" }));
    expect(error.code).toBe("base_branch_not_found");
    expect(error.message).toContain('"develop"');
    expect(error.message).toMatch(/its branches: .*\bmain\b/);
    expect(error.message).toMatch(/its branches: .*\brelease\b/);
    expect(error.details).toMatchObject({
      baseBranch: "develop",
      branches: expect.arrayContaining(["main", "release"]),
    });
  });

  it("refuses a path that is already the worktree of another branch", async () => {
    const run = newRun();
    await createRunWorktree({ mirrorPath, ...run, baseBranch: "main" });
    const error = await caught(
      createRunWorktree({
        mirrorPath,
        worktreePath: run.worktreePath,
        branch: "devflow/other",
        baseBranch: "main",
      }),
    );
    expect(error.code).toBe("worktree_conflict");
    expect(error.message).toContain(run.branch);
  });

  it("refuses a branch name git would not accept", async () => {
    const error = await caught(
      createRunWorktree({ mirrorPath, ...newRun(), branch: "devflow/bad..name", baseBranch: "main" }),
    );
    expect(error.code).toBe("invalid_branch_name");
  });
});

describe("removeRunWorktree", () => {
  it("removes the worktree and its registration, and does nothing the second time", async () => {
    const run = newRun();
    await createRunWorktree({ mirrorPath, ...run, baseBranch: "main" });
    await writeFile(join(run.worktreePath, "uncommitted.md"), "x\n");
    await removeRunWorktree({ mirrorPath, worktreePath: run.worktreePath });
    expect(await exists(run.worktreePath)).toBe(false);
    expect(await git(mirrorPath, "worktree", "list", "--porcelain")).not.toContain(run.worktreePath);
    await removeRunWorktree({ mirrorPath, worktreePath: run.worktreePath });
    // The branch can be checked out again, e.g. by a later attempt on this host.
    const again = await createRunWorktree({ mirrorPath, ...run, baseBranch: "main" });
    expect(again.resumedFromCheckpoint).toBe(true);
  });

  it("leaves alone a directory that is not a worktree of the mirror", async () => {
    const stranger = join(root, "not-a-worktree");
    await mkdir(stranger, { recursive: true });
    await writeFile(join(stranger, "precious.txt"), "keep me\n");
    const error = await caught(removeRunWorktree({ mirrorPath, worktreePath: stranger }));
    expect(error.code).toBe("worktree_conflict");
    expect(await readFile(join(stranger, "precious.txt"), "utf8")).toBe("keep me\n");
  });
});
