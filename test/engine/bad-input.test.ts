// Bad input gets a DevflowError naming what was wrong and how to fix it, and writes nothing.
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StartRunInput } from "../../src/engine/dispatch-engine.js";
import type { RunningWorker } from "../../src/server/start-worker.js";
import { createEngineHarness, type EngineHarness, waitForRunState } from "../support/engine-harness.js";

let harness: EngineHarness;
let worker: RunningWorker;
let localRepo: string;
beforeAll(async () => {
  harness = await createEngineHarness();
  worker = await harness.worker({ queue: { backend: "postgres", connectionString: harness.db.url } });
  localRepo = harness.tempDir("local");
  execFileSync("git", ["init", "-b", "main", localRepo], { stdio: "ignore" });
  execFileSync(
    "git",
    ["-C", localRepo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "--allow-empty", "-m", "init"],
    { stdio: "ignore" },
  );
});
afterAll(() => harness.cleanup());

async function rowCounts() {
  const { prisma } = harness.db;
  return [await prisma.run.count(), await prisma.runEvent.count(), await prisma.approvalDecision.count()];
}

const base = (): StartRunInput => ({ repository: localRepo, baseBranch: "main", requirements: "Add a flag" });

describe("bad input", () => {
  it.each([
    {
      name: "an unknown template",
      input: { template: "nosuch@1" },
      code: "template_not_found",
      says: "Loaded: development@2",
    },
    {
      name: "a missing repository",
      input: { repository: "/nonexistent/repo" },
      code: "repository_not_found",
      says: "/nonexistent/repo",
    },
    {
      name: "a path that is not a git repository",
      input: { repository: "/tmp" },
      code: "repository_not_found",
      says: "not a git repository",
    },
    {
      name: "a base branch the repository lacks",
      input: { baseBranch: "develop" },
      code: "base_branch_not_found",
      says: "it has: main",
    },
    {
      name: "a malformed base branch",
      input: { baseBranch: "bad..name" },
      code: "run_input_invalid",
      says: "bad..name",
    },
    {
      name: "empty requirements",
      input: { requirements: "  " },
      code: "run_input_invalid",
      says: "no requirements",
    },
    { name: "an unknown gate", input: { gates: ["ship_it"] }, code: "run_input_invalid", says: "ship_it" },
    {
      name: "a repository that is neither owner/name nor a path",
      input: { repository: "not a repo" },
      code: "run_input_invalid",
      says: "owner/name",
    },
  ])("refuses $name with $code and writes nothing", async ({ input, code, says }) => {
    const before = await rowCounts();
    const error = await worker.engine.startRun({ ...base(), ...input } as StartRunInput).catch((e) => e);
    expect(error).toMatchObject({ name: "DevflowError", code });
    expect(error.message).toContain(says);
    expect(error.recoveryHint.length).toBeGreaterThan(10);
    expect(await rowCounts()).toEqual(before);
  });

  it("fails a run clearly when its remote has no such base branch (checked by the worker, not the web)", async () => {
    const { runId } = await worker.engine.startRun({
      repository: "octo/repo",
      cloneUrl: harness.gitRemote(),
      baseBranch: "release",
      requirements: "x",
    });
    const run = await waitForRunState(harness.db, runId, "failed");
    expect(run.failureCode).toBe("base_branch_not_found");
    expect(run.failureReason).toContain("release");
  });

  it("refuses a decision on an unknown run and writes nothing", async () => {
    const before = await rowCounts();
    await expect(
      worker.engine.decide({
        runId: "00000000-0000-4000-8000-000000000000",
        action: "approve",
        clientToken: "t",
        actor: "a",
        source: "api",
      }),
    ).rejects.toMatchObject({ code: "run_not_found" });
    expect(await rowCounts()).toEqual(before);
  });

  it("refuses to retry a run that is waiting for a human", async () => {
    const { runId } = await worker.engine.startRun(base());
    await waitForRunState(harness.db, runId, "awaiting_approval");
    await expect(worker.engine.retry(runId, "alice")).rejects.toMatchObject({ code: "run_not_retryable" });
  });

  it("starting the same run id twice returns the first run", async () => {
    const runId = "11111111-1111-4111-8111-111111111111";
    const first = await worker.engine.startRun({ ...base(), runId });
    const second = await worker.engine.startRun({ ...base(), runId });
    expect([first.created, second.created]).toEqual([true, false]);
    expect(await harness.db.prisma.run.count({ where: { id: runId } })).toBe(1);
  });
});
