// DESIGN §7 items 1, 2, 6, 7 and 8: what a worker does at start-up, before it takes any job.
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recoverRunsOfFailedSessions } from "../../src/engine/recover-runs.js";
import { DevflowError } from "../../src/errors/index.js";
import { FakeSessionAdapter } from "../../src/sessions/fake-adapter.js";
import type { SessionHandle } from "../../src/sessions/session-adapter.js";
import { SessionManager } from "../../src/sessions/session-manager.js";
import { buildMidFlightRun } from "../builders/runs.js";
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

class ResumeFails extends FakeSessionAdapter {
  resumeAttempts = 0;
  override async resume(): Promise<SessionHandle> {
    this.resumeAttempts += 1;
    throw new DevflowError("pane briefly unresponsive", { code: "session_not_found", class: "recoverable" });
  }
}

class ResumeCrashed extends FakeSessionAdapter {
  resumeAttempts = 0;
  override async resume(): Promise<SessionHandle> {
    this.resumeAttempts += 1;
    throw new DevflowError("the pane is gone", { code: "session_not_found", class: "needs_human" });
  }
}

class ResumeSucceedsAfterTwoFailures extends FakeSessionAdapter {
  resumeAttempts = 0;
  override async resume(handle: SessionHandle): Promise<SessionHandle> {
    this.resumeAttempts += 1;
    if (this.resumeAttempts <= 2) {
      throw new DevflowError("pane briefly unresponsive", {
        code: "session_not_found",
        class: "recoverable",
      });
    }
    return handle;
  }
}

/** Start-up recovery on its own: the SessionManager's (lock + resume), the engine's (runs), then shut down. */
async function recoverOnce(hostId: string, adapter: FakeSessionAdapter) {
  const manager = new SessionManager({
    prisma: harness.db.prisma,
    connectionString: harness.db.url,
    hostId,
    adapter,
    sessionsDir: harness.tempDir("sessions"),
  });
  try {
    return await recoverRunsOfFailedSessions(harness.db.prisma, await manager.initialize(), {
      workspaceRoot: harness.tempDir("workspaces"),
      registry: harness.registry,
    });
  } finally {
    await manager.shutdown();
  }
}

describe.each(queueBackends())("start-up recovery (DESIGN §7) with BullMQ on $name", (backend) => {
  const queue = () => backend.connection(harness.db);

  it("1: continues a run whose worker died mid-phase from its last checkpoint, before start-up completes", async () => {
    const hostId = harness.hostId();
    const { runId, sessionId } = await buildMidFlightRun(harness.db, {
      state: "executing",
      repository: harness.gitRemote(),
      session: { hostId, state: "BUSY" },
    });
    const worker = await harness.worker({ queue: queue(), hostId });
    // Recovery already happened when startWorker resolved: the session is failed, the run continued.
    expect(worker.recovery).toMatchObject({
      failedSessionIds: [sessionId],
      continuedRunIds: [runId],
      pausedRunIds: [],
    });
    const attempts = await harness.db.prisma.phaseAttempt.findMany({
      where: { runId },
      orderBy: { attempt: "asc" },
    });
    expect(attempts.map((a) => [a.attempt, a.state === "failed" ? a.failureCode : a.state])).toEqual([
      [1, "session_lost"],
      [2, "running"],
    ]);
    // In exact order, before the worker's own events: the session's loss, the attempt's, the next attempt.
    expect((await eventTypes(harness.db, runId)).slice(0, 3)).toEqual([
      "session.failed",
      "phase.failed",
      "phase.started",
    ]);
    await waitForRunState(harness.db, runId, "awaiting_approval");
  });

  it("2: a second SessionManager on the same host fails with session_manager_already_running and changes nothing", async () => {
    const hostId = harness.hostId();
    await harness.worker({ queue: queue(), hostId });
    const { runId, sessionId } = await buildMidFlightRun(harness.db, {
      state: "executing",
      repository: harness.gitRemote(),
      session: { hostId, state: "READY" },
    });
    await expect(harness.worker({ queue: queue(), hostId })).rejects.toMatchObject({
      code: "session_manager_already_running",
    });
    const run = await harness.db.prisma.run.findUniqueOrThrow({ where: { id: runId } });
    const session = await harness.db.prisma.session.findUniqueOrThrow({ where: { id: sessionId } });
    expect([run.state, session.state]).toEqual(["executing", "READY"]);
    expect(await eventTypes(harness.db, runId)).toEqual([]);
  });

  it.each(["completed", "failed", "aborted"] as const)(
    "6: writes the final report of a run left %s that lacks one",
    async (state) => {
      const { runId } = await buildMidFlightRun(harness.db, {
        state,
        repository: harness.gitRemote(),
        phaseKey: null,
      });
      const worker = await harness.worker({ queue: queue() });
      expect(worker.finalReportRecovery).toContain(runId);
      const run = await harness.db.prisma.run.findUniqueOrThrow({ where: { id: runId } });
      expect(run.reportPath).toMatch(new RegExp(`${runId}\\.report\\.md$`));
      expect(existsSync(run.reportPath ?? "")).toBe(true);
    },
  );

  it("7: ignores the sessions of terminal runs", async () => {
    const hostId = harness.hostId();
    const adapter = new ResumeFails();
    const { runId, sessionId } = await buildMidFlightRun(harness.db, {
      state: "completed",
      repository: harness.gitRemote(),
      session: { hostId, state: "READY" },
    });
    const worker = await harness.worker({ queue: queue(), hostId, adapter });
    expect(worker.recovery).toEqual({
      recoveredSessionIds: [],
      failedSessionIds: [],
      continuedRunIds: [],
      pausedRunIds: [],
    });
    expect(adapter.resumeAttempts).toBe(0);
    expect((await harness.db.prisma.session.findUniqueOrThrow({ where: { id: sessionId } })).state).toBe(
      "READY",
    );
    expect(await harness.db.prisma.approvalRequest.count({ where: { runId } })).toBe(0);
    expect(
      (await eventTypes(harness.db, runId)).filter(
        (type) => type.startsWith("session.") || type.startsWith("run."),
      ),
    ).toEqual([]);
  });

  it("8: retries a transient resume failure and keeps the session", async () => {
    const hostId = harness.hostId();
    const adapter = new ResumeSucceedsAfterTwoFailures();
    const { runId, sessionId } = await buildMidFlightRun(harness.db, {
      state: "executing",
      repository: harness.gitRemote(),
      session: { hostId, state: "READY" },
    });
    const recovery = await recoverOnce(hostId, adapter);
    expect(adapter.resumeAttempts).toBe(3);
    expect(recovery).toMatchObject({ recoveredSessionIds: [sessionId], failedSessionIds: [] });
    expect(await harness.db.prisma.approvalRequest.count({ where: { runId } })).toBe(0);
  });

  it("8: tries a session whose resume fails for good only once, and reports it failed", async () => {
    const hostId = harness.hostId();
    const adapter = new ResumeCrashed();
    const { runId, sessionId } = await buildMidFlightRun(harness.db, {
      state: "executing",
      repository: harness.gitRemote(),
      attempt: 3,
      session: { hostId, state: "READY" },
    });
    const recovery = await recoverOnce(hostId, adapter);
    expect(adapter.resumeAttempts).toBe(1);
    expect(recovery).toMatchObject({ failedSessionIds: [sessionId], pausedRunIds: [runId] });
  });

  it.each(["READY", "CREATED"] as const)(
    "8: pauses the run behind session_recovery_required when a %s session cannot be resumed and the phase has no attempt left",
    async (sessionState) => {
      const hostId = harness.hostId();
      const adapter = new ResumeFails();
      const { runId, sessionId } = await buildMidFlightRun(harness.db, {
        state: "executing",
        repository: harness.gitRemote(),
        attempt: 3,
        session: { hostId, state: sessionState },
      });
      // A GitHub run: the pause must reach its sticky comment and check run like any other move.
      await harness.db.prisma.run.update({ where: { id: runId }, data: { installationId: 42n } });
      const recovery = await recoverOnce(hostId, adapter);
      expect(adapter.resumeAttempts).toBe(3);
      const effects = await harness.db.prisma.outboxEffect.findMany({ where: { runId } });
      expect(effects.map((effect) => [effect.kind, effect.payload])).toEqual([
        ["run.status", { state: "paused", phaseKey: null }],
      ]);
      expect(recovery).toMatchObject({
        failedSessionIds: [sessionId],
        recoveredSessionIds: [],
        pausedRunIds: [runId],
      });
      const run = await harness.db.prisma.run.findUniqueOrThrow({ where: { id: runId } });
      expect([run.state, run.pausedFromState]).toEqual(["paused", "executing"]);
      const session = await harness.db.prisma.session.findUniqueOrThrow({ where: { id: sessionId } });
      expect([session.state, session.recoveryAttempts]).toEqual(["FAILED_NEEDS_HUMAN", 1]);
      const approvals = await harness.db.prisma.approvalRequest.findMany({ where: { runId } });
      expect(approvals.map((a) => [a.gateKey, a.phaseId, a.state])).toEqual([
        ["session_recovery_required", null, "pending"],
      ]);
      expect(await eventTypes(harness.db, runId)).toEqual([
        "session.failed",
        "run.paused",
        "approval.requested",
      ]);
    },
  );

  it("8: a paused run continues when a human approves the recovery request", async () => {
    const hostId = harness.hostId();
    const { runId } = await buildMidFlightRun(harness.db, {
      state: "executing",
      repository: harness.gitRemote(),
      attempt: 3,
      session: { hostId, state: "READY" },
    });
    const worker = await harness.worker({
      queue: queue(),
      hostId,
      adapter: new ResumeFails({ writeDelayMs: 5 }),
    });
    expect(worker.recovery.pausedRunIds).toEqual([runId]);
    await worker.engine.retry(runId, "octocat", "comment", "comment-99");
    await waitForRunState(harness.db, runId, "awaiting_approval");
    const spec = await harness.db.prisma.phaseAttempt.findMany({
      where: { runId, phaseKey: "spec" },
      orderBy: { attempt: "asc" },
    });
    expect(spec.at(-1)).toMatchObject({ attempt: 4, state: "succeeded" });
  });
});
