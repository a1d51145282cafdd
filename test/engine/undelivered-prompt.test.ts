// A prompt recorded but never delivered (its worker died between recording and sending) is sent once
// by the worker that resumes the session. A file of its own: no other test's worker may take the run.
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeSessionAdapter } from "../../src/sessions/fake-adapter.js";
import { buildMidFlightRun } from "../builders/runs.js";
import { createEngineHarness, type EngineHarness, waitForRunState } from "../support/engine-harness.js";

let harness: EngineHarness;
beforeAll(async () => {
  harness = await createEngineHarness();
});
afterAll(() => harness.cleanup());

describe("a prompt recorded but never delivered (its worker died in between)", () => {
  it("is sent once, under its recorded dedupKey, by the worker that resumes the session", async () => {
    const hostId = harness.hostId();
    const stateDir = harness.tempDir("fake-state");
    const dataDir = harness.tempDir("data");
    const { runId } = await buildMidFlightRun(harness.db, {
      state: "executing",
      repository: harness.gitRemote(),
    });
    // The session the dead worker started: live, but the prompt never reached it.
    const session = await harness.db.prisma.session.create({
      data: {
        runId,
        roleId: "spec_writer",
        agent: "fake",
        backend: "fake",
        cwd: join(dataDir, "workspaces", runId, "main"),
        hostId,
        state: "READY",
      },
    });
    const before = new FakeSessionAdapter({ stateDir });
    const handle = await before.start({
      sessionId: session.id,
      runId,
      roleId: "spec_writer",
      agent: "fake",
      cwd: session.cwd,
      sessionDir: harness.tempDir("session"),
    });
    await harness.db.prisma.session.update({
      where: { id: session.id },
      data: { paneId: handle.paneId ?? null },
    });
    const dedupKey = `${runId}:spec:1:0`;
    await harness.db.prisma.promptDelivery.create({
      data: {
        id: randomUUID(),
        runId,
        sessionId: session.id,
        phaseKey: "spec",
        attempt: 1,
        dedupKey,
        envelope: {},
      },
    });

    const after = new FakeSessionAdapter({ stateDir, writeDelayMs: 5 });
    const worker = await harness.worker({
      queue: { backend: "postgres", connectionString: harness.db.url },
      hostId,
      dataDir,
      adapter: after,
    });
    expect(worker.recovery.recoveredSessionIds).toEqual([session.id]);
    await waitForRunState(harness.db, runId, "awaiting_approval");
    expect(after.prompts.map((prompt) => prompt.dedupKey)).toEqual([dedupKey]);
    expect(await harness.db.prisma.promptDelivery.count({ where: { runId } })).toBe(1);
    const spec = await harness.db.prisma.phaseAttempt.findMany({ where: { runId, phaseKey: "spec" } });
    expect(spec.map((a) => [a.attempt, a.state])).toEqual([[1, "succeeded"]]);
  });
});
