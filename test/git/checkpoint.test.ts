import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DevflowError } from "../../src/errors/index.js";
import {
  checkpointRef,
  checkpointTrackingRef,
  commitCheckpoint,
  createRunWorktree,
  deleteCheckpointRef,
  diffStat,
  ensureMirror,
  pushCheckpoint,
} from "../../src/git/index.js";
import { createRemote, git, isolate, type TestRemote } from "./git-fixture.js";

const CANARY = "canary-0d9e8c7b6a";
const AUTH_HEADER = `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${CANARY}`).toString("base64")}`;

let root: string;
let cleanup: () => Promise<void>;
let remote: TestRemote;
beforeAll(async () => {
  ({ root, cleanup } = await isolate());
  remote = await createRemote(root);
  await remote.commit({ "src/app.ts": "export const a = 1;\nexport const b = 2;\n" }, "Add app");
});
afterAll(() => cleanup());

let runs = 0;
/** A fresh run on a host of its own: mirror, worktree from main, branch, run id. */
async function newRun(host = `host-${runs + 1}`) {
  runs += 1;
  const runId = `run-${runs}`;
  const { path: mirrorPath } = await ensureMirror({
    mirrorsDir: join(root, host, "mirrors"),
    repository: "octo/demo",
    cloneUrl: remote.url,
  });
  const worktreePath = join(root, host, "workspace", `run-${runs}`, "main");
  const branch = `devflow/${runs}-checkpoint`;
  await createRunWorktree({ mirrorPath, worktreePath, branch, baseBranch: "main" });
  return { mirrorPath, worktreePath, branch, runId };
}

/** Host `host` takes the run over from the checkpoint ref another host pushed (its branch never pushed). */
async function takeOver(host: string, runId: string, branch: string) {
  const { path: mirrorPath } = await ensureMirror({
    mirrorsDir: join(root, host, "mirrors"),
    repository: "octo/demo",
    cloneUrl: remote.url,
    branches: ["main", branch],
    refs: [{ remote: checkpointRef(runId), local: checkpointTrackingRef(runId) }],
  });
  const worktreePath = join(root, host, "workspace", "main");
  await createRunWorktree({
    mirrorPath,
    worktreePath,
    branch,
    baseBranch: "main",
    checkpointRef: checkpointTrackingRef(runId),
  });
  return { mirrorPath, worktreePath };
}

async function caught(promise: Promise<unknown>): Promise<DevflowError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(DevflowError);
  return error as DevflowError;
}

describe("commitCheckpoint", () => {
  it("commits everything the agent changed, as devflow, with no git config on the machine", async () => {
    const { mirrorPath, worktreePath } = await newRun();
    await writeFile(join(worktreePath, "README.md"), "# demo, edited\n");
    await writeFile(join(worktreePath, "notes.md"), "new file\n");
    await rm(join(worktreePath, "src", "app.ts"));

    const { sha, changedFiles } = await commitCheckpoint({
      mirrorPath,
      worktreePath,
      message: "devflow: spec (attempt 1)",
    });
    expect(changedFiles).toBe(3);
    expect(await git(worktreePath, "rev-parse", "HEAD")).toBe(sha);
    expect(await git(worktreePath, "log", "-1", "--format=%an <%ae>|%cn <%ce>|%s")).toBe(
      "devflow <devflow@users.noreply.github.com>|devflow <devflow@users.noreply.github.com>|devflow: spec (attempt 1)",
    );
    expect(await git(worktreePath, "status", "--porcelain")).toBe("");
  });

  it("stages what git add --all would: ignored files stay out, a file may become a directory", async () => {
    const { mirrorPath, worktreePath } = await newRun();
    await writeFile(join(worktreePath, ".gitignore"), "build/\n*.log\n");
    await mkdir(join(worktreePath, "build"));
    await writeFile(join(worktreePath, "build", "out.js"), "ignored\n");
    await writeFile(join(worktreePath, "debug.log"), "ignored\n");
    await rm(join(worktreePath, "README.md"));
    await mkdir(join(worktreePath, "README.md"));
    await writeFile(join(worktreePath, "README.md", "index.md"), "# now a directory\n");
    await writeFile(join(worktreePath, "name with spaces ü.txt"), "x\n");

    await commitCheckpoint({ mirrorPath, worktreePath, message: "devflow: implement" });
    expect(
      (await git(worktreePath, "-c", "core.quotePath=false", "show", "--name-status", "--format=", "HEAD"))
        .split("\n")
        .sort(),
    ).toEqual(["A\t.gitignore", "A\tREADME.md/index.md", "A\tname with spaces ü.txt", "D\tREADME.md"].sort());
    expect(await git(worktreePath, "status", "--porcelain")).toBe("");
  });

  it("still commits when the phase changed nothing, so every phase has its own head SHA", async () => {
    const { mirrorPath, worktreePath } = await newRun();
    const before = await git(worktreePath, "rev-parse", "HEAD");
    const { sha, changedFiles } = await commitCheckpoint({
      mirrorPath,
      worktreePath,
      message: "devflow: review",
    });
    expect(changedFiles).toBe(0);
    expect(sha).not.toBe(before);
    expect(await git(worktreePath, "rev-parse", "HEAD^")).toBe(before);
  });

  it("records the given author, with devflow as the committer", async () => {
    const { mirrorPath, worktreePath } = await newRun();
    await writeFile(join(worktreePath, "a.txt"), "a\n");
    await commitCheckpoint({
      mirrorPath,
      worktreePath,
      message: "x",
      author: { name: "Ada", email: "ada@example.com" },
    });
    expect(await git(worktreePath, "log", "-1", "--format=%an <%ae>|%cn")).toBe(
      "Ada <ada@example.com>|devflow",
    );
  });
});

describe("pushCheckpoint", () => {
  it("pushes every checkpoint to the run's own ref, and moves the run branch only when asked (gates, the end)", async () => {
    const { mirrorPath, worktreePath, branch, runId } = await newRun();
    const push = (sha: string, moveBranch: boolean) =>
      pushCheckpoint({
        mirrorPath,
        branch,
        runId,
        moveBranch,
        remoteUrl: remote.url,
        authHeader: AUTH_HEADER,
        sha,
      });
    const where = async () => ({
      checkpoint: await remote.sha(checkpointRef(runId)),
      branch: await remote.sha(`refs/heads/${branch}`),
      mirrorCheckpoint: await git(
        mirrorPath,
        "rev-parse",
        "--verify",
        "--quiet",
        checkpointTrackingRef(runId),
      ).catch(() => ""),
      mirrorBranch: await git(
        mirrorPath,
        "rev-parse",
        "--verify",
        "--quiet",
        `refs/remotes/origin/${branch}`,
      ).catch(() => ""),
    });

    await writeFile(join(worktreePath, "spec.md"), "spec\n");
    const spec = await commitCheckpoint({ mirrorPath, worktreePath, message: "Spec" });
    await push(spec.sha, false);
    expect(await where()).toEqual({
      checkpoint: spec.sha,
      branch: "",
      mirrorCheckpoint: spec.sha,
      mirrorBranch: "",
    });

    await push(spec.sha, true); // the gate: the same commit, now on the branch too
    expect(await where()).toEqual({
      checkpoint: spec.sha,
      branch: spec.sha,
      mirrorCheckpoint: spec.sha,
      mirrorBranch: spec.sha,
    });

    const implement = await commitCheckpoint({ mirrorPath, worktreePath, message: "Implement" });
    await push(implement.sha, false);
    expect(await where()).toEqual({
      checkpoint: implement.sha,
      branch: spec.sha,
      mirrorCheckpoint: implement.sha,
      mirrorBranch: spec.sha,
    });

    const review = await commitCheckpoint({ mirrorPath, worktreePath, message: "Review" });
    await push(review.sha, true); // the end
    expect(await where()).toEqual({
      checkpoint: review.sha,
      branch: review.sha,
      mirrorCheckpoint: review.sha,
      mirrorBranch: review.sha,
    });
    expect(await readFile(join(mirrorPath, "config"), "utf8")).not.toContain(CANARY);
  });

  it("pushes over a checkpoint this host reset (its own), forced only within the lease", async () => {
    const { mirrorPath, worktreePath, branch, runId } = await newRun();
    const base = await git(worktreePath, "rev-parse", "HEAD");
    await commitCheckpoint({ mirrorPath, worktreePath, message: "Attempt 1" });
    await pushCheckpoint({ mirrorPath, branch, runId, moveBranch: true, remoteUrl: remote.url });
    await git(worktreePath, "reset", "--quiet", "--hard", base);
    const retried = await commitCheckpoint({ mirrorPath, worktreePath, message: "Attempt 2" });
    await pushCheckpoint({ mirrorPath, branch, runId, moveBranch: true, remoteUrl: remote.url });
    expect(await remote.sha(checkpointRef(runId))).toBe(retried.sha);
    expect(await remote.sha(`refs/heads/${branch}`)).toBe(retried.sha);
  });

  it("refuses to overwrite a checkpoint another host pushed since this host last saw it", async () => {
    const hostA = await newRun("lease-a");
    const { runId, branch } = hostA;
    await commitCheckpoint({ ...hostA, message: "A: spec" });
    await pushCheckpoint({ mirrorPath: hostA.mirrorPath, branch, runId, remoteUrl: remote.url });

    // Host B continues the run from A's checkpoint ref (the branch was never pushed).
    const { mirrorPath: mirrorB, worktreePath: worktreeB } = await takeOver("lease-b", runId, branch);
    expect(await git(worktreeB, "log", "-1", "--format=%s")).toBe("A: spec");
    const fromB = await commitCheckpoint({
      mirrorPath: mirrorB,
      worktreePath: worktreeB,
      message: "B: implement",
    });
    await pushCheckpoint({ mirrorPath: mirrorB, branch, runId, remoteUrl: remote.url });

    await git(hostA.worktreePath, "reset", "--quiet", "--hard", "HEAD^");
    await commitCheckpoint({ ...hostA, message: "A: late attempt" });
    const error = await caught(
      pushCheckpoint({
        mirrorPath: hostA.mirrorPath,
        branch,
        runId,
        moveBranch: true,
        remoteUrl: remote.url,
      }),
    );
    expect([error.code, error.class]).toEqual(["checkpoint_push_failed", "recoverable"]);
    expect(error.message).toContain("changed on the remote");
    // Atomic: neither ref moved.
    expect(await remote.sha(checkpointRef(runId))).toBe(fromB.sha);
    expect(await remote.sha(`refs/heads/${branch}`)).toBe("");
  });

  it("reports a remote it cannot push to as checkpoint_push_failed, without the credential", async () => {
    const { mirrorPath, worktreePath, branch, runId } = await newRun();
    await commitCheckpoint({ mirrorPath, worktreePath, message: "Spec" });
    const error = await caught(
      pushCheckpoint({
        mirrorPath,
        branch,
        runId,
        remoteUrl: join(root, "gone.git"),
        authHeader: AUTH_HEADER,
      }),
    );
    expect([error.code, error.class]).toEqual(["checkpoint_push_failed", "recoverable"]);
    expect(error.message).toContain(branch);
    const cause = error.cause instanceof Error ? error.cause.message : "";
    for (const text of [error.message, JSON.stringify(error.details), cause, error.toDisplayString()]) {
      expect(text).not.toContain(CANARY);
    }
  });
});

describe("deleteCheckpointRef", () => {
  it("deletes a completed run's checkpoint ref from the remote and the mirror, once; the branch stays", async () => {
    const { mirrorPath, worktreePath, branch, runId } = await newRun();
    const last = await commitCheckpoint({ mirrorPath, worktreePath, message: "The end" });
    await pushCheckpoint({ mirrorPath, branch, runId, moveBranch: true, remoteUrl: remote.url });
    expect(await remote.sha(checkpointRef(runId))).toBe(last.sha);

    expect(await deleteCheckpointRef({ mirrorPath, runId, remoteUrl: remote.url })).toBe(true);
    expect(await remote.sha(checkpointRef(runId))).toBe("");
    expect(await remote.sha(`refs/heads/${branch}`)).toBe(last.sha);
    await expect(
      git(mirrorPath, "rev-parse", "--verify", "--quiet", checkpointTrackingRef(runId)),
    ).rejects.toThrow();
    // Again (a replayed job): nothing to delete, nothing touched.
    expect(await deleteCheckpointRef({ mirrorPath, runId, remoteUrl: remote.url })).toBe(false);
    expect(await remote.sha(`refs/heads/${branch}`)).toBe(last.sha);
  });

  it("never deletes a checkpoint another host pushed since this host last saw it", async () => {
    const hostA = await newRun("delete-a");
    const { runId, branch } = hostA;
    await commitCheckpoint({ ...hostA, message: "A: spec" });
    await pushCheckpoint({ mirrorPath: hostA.mirrorPath, branch, runId, remoteUrl: remote.url });
    const { mirrorPath: mirrorB, worktreePath: worktreeB } = await takeOver("delete-b", runId, branch);
    const fromB = await commitCheckpoint({
      mirrorPath: mirrorB,
      worktreePath: worktreeB,
      message: "B: implement",
    });
    await pushCheckpoint({ mirrorPath: mirrorB, branch, runId, remoteUrl: remote.url });

    const error = await caught(
      deleteCheckpointRef({
        mirrorPath: hostA.mirrorPath,
        runId,
        remoteUrl: remote.url,
        authHeader: AUTH_HEADER,
      }),
    );
    expect(error.code).toBe("checkpoint_push_failed");
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain(CANARY);
    expect(await remote.sha(checkpointRef(runId))).toBe(fromB.sha);
  });
});

describe("diffStat", () => {
  it("counts the files and lines the run changed since it left the base, ignoring later base commits", async () => {
    const { mirrorPath, worktreePath } = await newRun("diff");
    await writeFile(join(worktreePath, "README.md"), "# demo\nmore\nand more\n");
    await writeFile(join(worktreePath, "new.md"), "one\ntwo\nthree\n");
    await writeFile(join(worktreePath, "src", "app.ts"), "export const a = 1;\n");
    await commitCheckpoint({ mirrorPath, worktreePath, message: "Implement" });
    // Meanwhile the base branch moves on; the mirror sees it.
    await remote.commit({ "upstream.md": "upstream\n" }, "Upstream work");
    await ensureMirror({ mirrorsDir: join(mirrorPath, ".."), repository: "octo/demo", cloneUrl: remote.url });

    const stat = await diffStat({ mirrorPath, worktreePath, baseRef: "origin/main" });
    expect({ ...stat, text: undefined, paths: undefined }).toEqual({
      files: 3,
      insertions: 5,
      deletions: 1,
      text: undefined,
      paths: undefined,
    });
    expect(stat.paths).toEqual([
      { path: "README.md", insertions: 2, deletions: 0 },
      { path: "new.md", insertions: 3, deletions: 0 },
      { path: "src/app.ts", insertions: 0, deletions: 1 },
    ]);
    expect(stat.text).toContain("new.md");
    expect(stat.text).not.toContain("upstream.md");
    expect(stat.text).toMatch(/3 files changed, 5 insertions\(\+\), 1 deletion\(-\)$/);
  });

  it("reports nothing for a run that changed nothing", async () => {
    const { mirrorPath, worktreePath } = await newRun();
    await commitCheckpoint({ mirrorPath, worktreePath, message: "Empty phase" });
    expect(await diffStat({ mirrorPath, worktreePath, baseRef: "origin/main" })).toEqual({
      files: 0,
      insertions: 0,
      deletions: 0,
      text: "",
      paths: [],
    });
  });

  it("names a base that does not exist", async () => {
    const { mirrorPath, worktreePath } = await newRun();
    const error = await caught(diffStat({ mirrorPath, worktreePath, baseRef: "origin/develop" }));
    expect(error.code).toBe("base_branch_not_found");
    expect(error.message).toContain("origin/develop");
  });
});
