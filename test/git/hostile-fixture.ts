// What the hostile-agent git tests share: a run (mirror + worktree) on a host of its own, a command that
// proves it ran by creating a marker file, and the shape of devflow's refusal.
import { access } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "vitest";
import { DevflowError } from "../../src/errors/index.js";
import { createRunWorktree, ensureMirror } from "../../src/git/index.js";
import type { TestRemote } from "./git-fixture.js";

export interface HostileRun {
  mirrorPath: string;
  worktreePath: string;
  branch: string;
  runId: string;
  /** A file the planted commands create; it must never exist. */
  marker: string;
  /** A shell command that creates the marker (and passes its input through, as a filter must). */
  plant: string;
}

let runs = 0;

/** A fresh mirror and worktree on a host of their own, so one test's planted config stays its own. */
export async function newHostileRun(root: string, remote: TestRemote): Promise<HostileRun> {
  runs += 1;
  const host = join(root, `host-${runs}`);
  const { path: mirrorPath } = await ensureMirror({
    mirrorsDir: join(host, "mirrors"),
    repository: "octo/demo",
    cloneUrl: remote.url,
  });
  const worktreePath = join(host, "workspace", `run-${runs}`, "main");
  const branch = `devflow/${runs}-hostile`;
  await createRunWorktree({ mirrorPath, worktreePath, branch, baseBranch: "main" });
  const marker = join(host, "PLANTED-COMMAND-RAN");
  return {
    mirrorPath,
    worktreePath,
    branch,
    runId: `hostile-${runs}`,
    marker,
    plant: `touch '${marker}'; cat`,
  };
}

export async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** The refusal devflow gives: `git_config_tampered`, for a person to look at; never the planted value. */
export async function refusedAsTampered(
  promise: Promise<unknown>,
  ...secrets: string[]
): Promise<DevflowError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(DevflowError);
  const refusal = error as DevflowError;
  expect([refusal.code, refusal.class]).toEqual(["git_config_tampered", "needs_human"]);
  for (const secret of secrets) {
    expect(refusal.toDisplayString()).not.toContain(secret);
    expect(JSON.stringify(refusal.details)).not.toContain(secret);
  }
  return refusal;
}
