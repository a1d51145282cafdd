// An approval is bound to what was shown (DESIGN §2): a second approver is not a replay of the first,
// and a push or a new artifact since the request supersedes it — a new request is opened for what is
// current, and the late approver is told what changed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningWorker } from "../../src/server/start-worker.js";
import { FakeSessionAdapter } from "../../src/sessions/fake-adapter.js";
import {
  createEngineHarness,
  type EngineHarness,
  eventTypes,
  queueBackends,
  waitForRunState,
} from "../support/engine-harness.js";

let harness: EngineHarness;
let worker: RunningWorker;
beforeAll(async () => {
  harness = await createEngineHarness();
  const backend = queueBackends().at(-1);
  worker = await harness.worker({
    queue: backend?.connection(harness.db) ?? { backend: "postgres", connectionString: harness.db.url },
    adapter: new FakeSessionAdapter({ writeDelayMs: 5 }),
  });
});
afterAll(() => harness.cleanup());

async function runAtGate() {
  const { runId } = await worker.engine.startRun({
    repository: harness.gitRemote(),
    baseBranch: "main",
    requirements: "Add a flag",
  });
  await waitForRunState(harness.db, runId, "awaiting_approval");
  const request = await harness.db.prisma.approvalRequest.findFirstOrThrow({ where: { runId } });
  return { runId, request };
}

const approve = (runId: string, clientToken: string, actor: string) =>
  worker.engine.decide({ runId, action: "approve", clientToken, actor, source: "comment" });

describe("approval binding", () => {
  it("refuses a second approver's approval with another token, telling who decided; it is no replay", async () => {
    const { runId } = await runAtGate();
    await expect(approve(runId, "comment-1", "alice")).resolves.toMatchObject({ outcome: "applied" });
    const before = await harness.db.prisma.approvalDecision.count({ where: { approvalRequest: { runId } } });
    await expect(approve(runId, "comment-2", "bob")).rejects.toMatchObject({
      code: "approval_request_closed",
      message: expect.stringContaining("approve by alice via comment"),
    });
    expect(await harness.db.prisma.approvalDecision.count({ where: { approvalRequest: { runId } } })).toBe(
      before,
    );
  });

  it("supersedes the request when the branch moved, opens a new one, and tells the late approver", async () => {
    const { runId, request } = await runAtGate();
    const pushed = "f".repeat(40);
    await harness.db.prisma.run.update({ where: { id: runId }, data: { headSha: pushed } });
    await expect(approve(runId, "comment-3", "alice")).rejects.toMatchObject({
      code: "approval_stale",
      message: expect.stringContaining(`the run's branch is now at ${pushed.slice(0, 7)}`),
    });
    const requests = await harness.db.prisma.approvalRequest.findMany({
      where: { runId },
      orderBy: { createdAt: "asc" },
    });
    expect(requests.map((r) => [r.state, r.headSha, r.artifactSha256])).toEqual([
      ["superseded", request.headSha, request.artifactSha256],
      ["pending", pushed, request.artifactSha256],
    ]);
    expect(await harness.db.prisma.approvalDecision.count({ where: { approvalRequest: { runId } } })).toBe(0);
    expect((await eventTypes(harness.db, runId)).slice(-2)).toEqual([
      "approval.superseded",
      "approval.requested",
    ]);
    const run = await harness.db.prisma.run.findUniqueOrThrow({ where: { id: runId } });
    expect(run.state).toBe("awaiting_approval");
    // What is current now can be approved.
    await expect(approve(runId, "comment-4", "alice")).resolves.toMatchObject({ outcome: "applied" });
  });

  it("supersedes the request when a new artifact of its phase was accepted, and tells the late approver", async () => {
    const { runId, request } = await runAtGate();
    const shown = await harness.db.prisma.phaseAttempt.findUniqueOrThrow({
      where: { id: request.phaseId ?? "" },
    });
    const newer = await harness.db.prisma.phaseAttempt.create({
      data: {
        runId,
        phaseKey: shown.phaseKey,
        attempt: shown.attempt + 1,
        state: "succeeded",
        finishedAt: new Date(),
        artifact: { title: "a different spec" },
        artifactSha256: "b".repeat(64),
      },
    });
    await expect(approve(runId, "comment-5", "alice")).rejects.toMatchObject({
      code: "approval_stale",
      message: expect.stringContaining(`the current artifact is ${"b".repeat(12)}`),
    });
    const requests = await harness.db.prisma.approvalRequest.findMany({
      where: { runId },
      orderBy: { createdAt: "asc" },
    });
    expect(requests.map((r) => [r.state, r.phaseId, r.artifactSha256])).toEqual([
      ["superseded", shown.id, shown.artifactSha256],
      ["pending", newer.id, "b".repeat(64)],
    ]);
    expect(await harness.db.prisma.approvalDecision.count({ where: { approvalRequest: { runId } } })).toBe(0);
    expect((await harness.db.prisma.run.findUniqueOrThrow({ where: { id: runId } })).state).toBe(
      "awaiting_approval",
    );
  });
});
