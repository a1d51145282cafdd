// DESIGN §7 item 10: maxConcurrentRuns bounds the runs a host has active, counted in Postgres — not the
// jobs it happens to be running. A run executing on this host holds its slot even while no job of it
// runs (here its lock is held elsewhere, as between phases); a queued run waits until the slot frees.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tryAdvisoryLock } from "../../src/db/advisory-lock.js";
import { runLockName } from "../../src/engine/advance-run.js";
import { FakeSessionAdapter } from "../../src/sessions/fake-adapter.js";
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

describe("the concurrency cap", () => {
  it("counts the host's active runs in the database, and lets a queued run in when a slot frees", async () => {
    const hostId = harness.hostId();
    const backend = queueBackends().at(-1);
    const { runId: busyId } = await buildMidFlightRun(harness.db, {
      state: "executing",
      repository: harness.gitRemote(),
    });
    await harness.db.prisma.run.update({ where: { id: busyId }, data: { hostId } });
    // No job of the busy run can run: its lock is held (as by an advancer between two steps).
    const busyLock = await tryAdvisoryLock(harness.db.url, runLockName(busyId));
    expect(busyLock).toBeDefined();
    const worker = await harness.worker({
      queue: backend?.connection(harness.db) ?? { backend: "postgres", connectionString: harness.db.url },
      hostId,
      adapter: new FakeSessionAdapter({ writeDelayMs: 5 }),
      maxConcurrentRuns: 1,
    });
    const { runId } = await worker.engine.startRun({
      repository: harness.gitRemote(),
      baseBranch: "main",
      requirements: "Wait your turn",
    });
    await expect.poll(() => worker.runQueue.heldJobs(), { timeout: 20_000 }).toBe(0);
    const waiting = await harness.db.prisma.run.findUniqueOrThrow({ where: { id: runId } });
    expect([waiting.state, waiting.hostId]).toEqual(["queued", null]);
    expect(await eventTypes(harness.db, runId)).toEqual(["run.created"]);

    // The busy run ends: its slot frees, and the queued run is taken on without waiting for a reconcile.
    await harness.db.prisma.run.update({
      where: { id: busyId },
      data: {
        state: "failed",
        finishedAt: new Date(),
        failureCode: "test",
        failureReason: "ended by the test",
      },
    });
    await busyLock?.release();
    await worker.runQueue.enqueue(busyId, 0, "ended");
    await waitForRunState(harness.db, runId, "awaiting_approval", 30_000); // under the harness's 60 s reconcile
  }, 120_000);
});
