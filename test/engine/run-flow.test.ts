// A run through the development template with the fake agent, on every queue backend this test run has.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { remoteBranches } from "../builders/git-remote.js";
import {
  createEngineHarness,
  type EngineHarness,
  eventTypes,
  queueBackends,
  waitForRunState,
} from "../support/engine-harness.js";

let harness: EngineHarness;
beforeAll(async () => {
  harness = await createEngineHarness();
});
afterAll(() => harness.cleanup());

describe.each(queueBackends())("a development run on BullMQ's $name backend", (backend) => {
  it("reaches the spec gate with its worktree in place, then completes after /approve with a report", async () => {
    const dataDir = harness.tempDir("data");
    const worker = await harness.worker({ queue: backend.connection(harness.db), dataDir });
    const remote = harness.gitRemote();
    const { runId } = await worker.engine.startRun({
      repository: remote,
      baseBranch: "main",
      requirements: "# Add a --verbose flag\n\nPrint each step.",
      issueNumber: 42,
    });

    await waitForRunState(harness.db, runId, "awaiting_approval");
    const atGate = await worker.engine.getStatus(runId);
    expect(atGate.run.worktreePath).toBe(join(dataDir, "workspaces", runId, "main"));
    expect(existsSync(join(dataDir, "workspaces", runId, "main", "README.md"))).toBe(true);
    expect(atGate.approvals).toMatchObject([{ gateKey: "spec_approved", state: "pending" }]);
    expect(atGate.approvals[0]?.headSha).toBe(atGate.run.headSha);
    expect(atGate.run.branch).toBe("devflow/42-add-a-verbose-flag");
    // The spec checkpoint is pushed to the repository's remote.
    expect(remoteBranches(remote)["devflow/42-add-a-verbose-flag"]).toBe(atGate.run.headSha);
    // Waiting is free: once the job that reached the gate has finished, no session and no job remain.
    await expect
      .poll(async () => (await worker.engine.getStatus(runId)).sessions.map((session) => session.state))
      .toEqual(["STOPPED"]);
    await expect.poll(() => worker.runQueue.heldJobs()).toBe(0);

    await worker.engine.decide({
      runId,
      action: "approve",
      clientToken: "comment-1",
      actor: "octocat",
      source: "comment",
    });
    await waitForRunState(harness.db, runId, "completed");
    const reportPath = join(dataDir, "workspaces", runId, `${runId}.report.md`);
    await expect
      .poll(async () => (await harness.db.prisma.run.findUnique({ where: { id: runId } }))?.reportPath, {
        timeout: 10_000,
      })
      .toBe(reportPath);

    const report = readFileSync(reportPath, "utf8");
    expect(report).toContain("✅ completed");
    expect(report).toContain("Add a --verbose flag");
    expect(report).toMatch(/\| spec \| 1 \| succeeded \|/);
    expect(report).toMatch(/\| review \| 1 \| succeeded \|/);
    expect(report).toMatch(/\| .* \| spec_approved \| approve \| octocat \| comment \|/);
    expect(report).toMatch(/1 file\(s\) changed/);

    const types = await eventTypes(harness.db, runId);
    expect(types[0]).toBe("run.created");
    expect(types.filter((type) => type === "phase.completed")).toHaveLength(3);
    expect(types.at(-1)).toBe("report.written");
    const seqs = (
      await harness.db.prisma.runEvent.findMany({ where: { runId }, orderBy: { seq: "asc" } })
    ).map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, index) => index + 1)); // gap-free
  });
});

describe("a second run on the same issue", () => {
  it("gets a branch of its own instead of continuing the first run's checkpoints", async () => {
    const worker = await harness.worker({ queue: { backend: "postgres", connectionString: harness.db.url } });
    const remote = harness.gitRemote();
    const request = {
      repository: remote,
      baseBranch: "main",
      requirements: "# Fix the docs",
      issueNumber: 7,
      gates: [],
    };
    const first = await worker.engine.startRun(request);
    const firstRun = await waitForRunState(harness.db, first.runId, "completed");
    const second = await worker.engine.startRun(request);
    const secondRun = await waitForRunState(harness.db, second.runId, "completed");
    expect(firstRun.branch).toBe("devflow/7-fix-the-docs");
    expect(secondRun.branch).toBe(`devflow/7-fix-the-docs-${second.runId.slice(0, 8)}`);
    const branches = remoteBranches(remote);
    expect(branches[firstRun.branch ?? ""]).toBe(firstRun.headSha);
    expect(branches[secondRun.branch ?? ""]).toBe(secondRun.headSha);
  });
});
