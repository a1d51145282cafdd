import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { DevflowError } from "../../src/errors/index.js";
import { runBranchName } from "../../src/git/index.js";

const RUN_ID = "3f2b8c1a-9d4e-4f6a-8b7c-0e1d2c3b4a59";

async function gitAccepts(branch: string): Promise<boolean> {
  return promisify(execFile)("git", ["check-ref-format", "--branch", branch]).then(
    () => true,
    () => false,
  );
}

describe("runBranchName", () => {
  it.each([
    { title: "Add a --verbose flag", expected: "devflow/42-add-a-verbose-flag" },
    { title: "  Fix: crash on   empty input!!  ", expected: "devflow/42-fix-crash-on-empty-input" },
    { title: "Café déjà vu — naïve façade", expected: "devflow/42-cafe-deja-vu-naive-facade" },
    { title: "feat(api): v2.0 /users/:id endpoint", expected: "devflow/42-feat-api-v2-0-users-id-endpoint" },
    { title: "refs/heads/../..lock @{-1} ~^:?*[\\", expected: "devflow/42-refs-heads-lock-1" },
    {
      title: "This is a very long issue title that keeps going on and on",
      expected: "devflow/42-this-is-a-very-long-issue-title-that",
    },
    {
      title: "Supercalifragilisticexpialidocious-and-then-some-more-words",
      expected: "devflow/42-supercalifragilisticexpialidocious-and",
    },
    { title: "a".repeat(60), expected: `devflow/42-${"a".repeat(40)}` },
    { title: "修复登录问题", expected: "devflow/42-issue" },
    { title: "🚀🔥", expected: "devflow/42-issue" },
    { title: "", expected: "devflow/42-issue" },
    { title: undefined, expected: "devflow/42-issue" },
  ])("names the branch of issue #42 titled $title $expected", async ({ title, expected }) => {
    const branch = runBranchName({ runId: RUN_ID, issueNumber: 42, title });
    expect(branch).toBe(expected);
    expect(branch.slice("devflow/42-".length).length).toBeLessThanOrEqual(40);
    expect(await gitAccepts(branch)).toBe(true);
  });

  it.each([
    { runId: RUN_ID, expected: `devflow/${RUN_ID}` },
    { runId: "RUN_7", expected: "devflow/run-7" },
    { runId: "../..", expected: "devflow/run" },
  ])("names the branch of a run without an issue after its id ($runId)", async ({ runId, expected }) => {
    const branch = runBranchName({ runId, title: "ignored without an issue" });
    expect(branch).toBe(expected);
    expect(await gitAccepts(branch)).toBe(true);
  });

  it.each([0, -3, 1.5, Number.NaN])("refuses issue number %s", (issueNumber) => {
    expect(() => runBranchName({ runId: RUN_ID, issueNumber })).toThrow(DevflowError);
  });
});
