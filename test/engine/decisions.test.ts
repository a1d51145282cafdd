// Approvals (DESIGN §2, §7 item 5): one winner among concurrent decisions, replay is harmless and
// repairs what a crash left undone, a rejection goes back with its reason.
import { existsSync, rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdvisoryLockPool } from "../../src/db/advisory-lock-pool.js";
import { requeueIfMovedMeanwhile, runLockName } from "../../src/engine/advance-run.js";
import type { RunningWorker } from "../../src/server/start-worker.js";
import { FakeSessionAdapter } from "../../src/sessions/fake-adapter.js";
import {
  createEngineHarness,
  type EngineHarness,
  queueBackends,
  waitForRunState,
} from "../support/engine-harness.js";

let harness: EngineHarness;
let worker: RunningWorker;
let adapter: FakeSessionAdapter;
beforeAll(async () => {
  harness = await createEngineHarness();
  adapter = new FakeSessionAdapter({ writeDelayMs: 5 });
  const backend = queueBackends().at(-1); // Redis when the run has one, else Postgres
  worker = await harness.worker({
    queue: backend?.connection(harness.db) ?? { backend: "postgres", connectionString: harness.db.url },
    adapter,
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
  return runId;
}

/** As a crash between the transition and the report would leave it. */
async function loseReport(runId: string) {
  await expect
    .poll(async () => (await harness.db.prisma.run.findUniqueOrThrow({ where: { id: runId } })).reportPath, {
      timeout: 10_000,
    })
    .toBeTruthy();
  const run = await harness.db.prisma.run.findUniqueOrThrow({ where: { id: runId } });
  rmSync(run.reportPath ?? "", { force: true });
  await harness.db.prisma.run.update({
    where: { id: runId },
    data: { reportPath: null, reportWrittenAt: null },
  });
}

async function sessionStates(runId: string) {
  return (await harness.db.prisma.session.findMany({ where: { runId }, orderBy: { createdAt: "asc" } })).map(
    (s) => [s.id, s.state],
  );
}

describe.each(queueBackends())("decisions with BullMQ on $name", (backend) => {
  beforeAll(async () => {
    adapter = new FakeSessionAdapter({ writeDelayMs: 5 });
    worker = await harness.worker({ queue: backend.connection(harness.db), adapter });
  });
  afterAll(() => worker.stop());

  it("gives exactly one winner to two concurrent decisions, and tells the other why", async () => {
    const runId = await runAtGate();
    const results = await Promise.allSettled([
      worker.engine.decide({
        runId,
        action: "approve",
        clientToken: "c-1",
        actor: "alice",
        source: "comment",
      }),
      worker.engine.decide({
        runId,
        action: "reject",
        clientToken: "c-2",
        actor: "bob",
        source: "review",
        reason: "no",
      }),
    ]);
    const fulfilled = results.filter((r) => r.status === "fulfilled");
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.reason).toMatchObject({ code: "approval_request_closed" });
    expect(await harness.db.prisma.approvalDecision.count({ where: { approvalRequest: { runId } } })).toBe(1);
  });

  it("a decision that lands while a worker is parking the run is picked up once that worker lets go", async () => {
    const runId = await runAtGate();
    const parkedAt = (await harness.db.prisma.run.findUniqueOrThrow({ where: { id: runId } })).version;
    // A worker still holds the run's lock while it parks it… (taken here, standing in for that worker,
    // once the worker that really parked it has let go)
    const locks = new AdvisoryLockPool(harness.db.url);
    let parking: Awaited<ReturnType<AdvisoryLockPool["tryLock"]>>;
    await expect
      .poll(
        async () => {
          parking ??= await locks.tryLock(runLockName(runId));
          return parking !== undefined;
        },
        { timeout: 20_000 },
      )
      .toBe(true);
    try {
      await worker.engine.decide({
        runId,
        action: "approve",
        clientToken: "c-park",
        actor: "alice",
        source: "comment",
      });
      // …so the decision's own job finds the run locked and ends without advancing it.
      const moved = await harness.db.prisma.run.findUniqueOrThrow({ where: { id: runId } });
      await expect.poll(() => worker.runQueue.heldJobs(), { timeout: 20_000 }).toBe(0);
      expect((await harness.db.prisma.run.findUniqueOrThrow({ where: { id: runId } })).version).toBe(
        moved.version,
      );
    } finally {
      await parking?.release();
      await locks.close();
    }
    // What the parking worker does after releasing the lock: the run moved on, so it gets a job now,
    // not at the reconciler's next pass (a minute away in these tests).
    await requeueIfMovedMeanwhile(worker.context, runId, parkedAt);
    await waitForRunState(harness.db, runId, "completed", 20_000);
  });

  it("sends a rejection back to the spec writer with the reason as data in the next prompt", async () => {
    const runId = await runAtGate();
    await worker.engine.decide({
      runId,
      action: "reject",
      clientToken: "c-3",
      actor: "alice",
      source: "comment",
      reason: "Cover the --quiet flag too",
    });
    await expect
      .poll(
        async () =>
          await harness.db.prisma.phaseAttempt.count({
            where: { runId, phaseKey: "spec", state: "succeeded" },
          }),
        { timeout: 15_000 },
      )
      .toBe(2);
    const second = adapter.prompts.find((p) => p.runId === runId && p.phaseKey === "spec" && p.attempt === 2);
    expect(second?.instructions).toMatch(
      /BEGIN DATA (\w+) — feedback on the previous attempt[^\n]*\nCover the --quiet flag too\nEND DATA \1/,
    );
    await waitForRunState(harness.db, runId, "awaiting_approval");
  });

  it("refuses a decision on a request that is already decided, and writes nothing", async () => {
    const runId = await runAtGate();
    const [request] = await harness.db.prisma.approvalRequest.findMany({ where: { runId } });
    await worker.engine.decide({
      runId,
      requestId: request?.id,
      action: "approve",
      clientToken: "c-4",
      actor: "alice",
      source: "comment",
    });
    const before = await harness.db.prisma.approvalDecision.count();
    await expect(
      worker.engine.decide({
        runId,
        requestId: request?.id,
        action: "reject",
        clientToken: "c-5",
        actor: "bob",
        source: "comment",
      }),
    ).rejects.toMatchObject({
      code: "approval_request_closed",
      message: expect.stringContaining("approve by alice via comment"),
    });
    expect(await harness.db.prisma.approvalDecision.count()).toBe(before);
  });

  it("refuses a decision on an unknown request", async () => {
    const runId = await runAtGate();
    await expect(
      worker.engine.decide({
        runId,
        requestId: "00000000-0000-4000-8000-000000000000",
        action: "approve",
        clientToken: "x",
        actor: "a",
        source: "api",
      }),
    ).rejects.toMatchObject({ code: "approval_request_not_found" });
  });

  it.each([
    { action: "approve" as const, terminal: "completed" as const, rejections: 0 },
    { action: "reject" as const, terminal: "failed" as const, rejections: 2 },
    { action: "abort" as const, terminal: "aborted" as const, rejections: 0 },
  ])(
    "7.5: replaying a $action decision on a $terminal run repairs its missing report and changes no session",
    async ({ action, terminal, rejections }) => {
      const runId = await runAtGate();
      // spec has 3 attempts: two rejections first, so the third rejection ends the run.
      for (let i = 0; i < rejections; i++) {
        await worker.engine.decide({
          runId,
          action: "reject",
          clientToken: `pre-${i}`,
          actor: "alice",
          source: "comment",
          reason: "again",
        });
        await expect
          .poll(
            async () => await harness.db.prisma.approvalRequest.count({ where: { runId, state: "pending" } }),
            { timeout: 15_000 },
          )
          .toBe(1);
      }
      const decision = {
        runId,
        action,
        clientToken: `final-${action}`,
        actor: "alice",
        source: "comment" as const,
        reason: "done",
      };
      expect(await worker.engine.decide(decision)).toMatchObject({ outcome: "applied" });
      await waitForRunState(harness.db, runId, terminal);
      await loseReport(runId);
      const sessions = await sessionStates(runId);

      expect(await worker.engine.decide(decision)).toMatchObject({ outcome: "replayed", runState: terminal });
      await expect
        .poll(
          async () => (await harness.db.prisma.run.findUniqueOrThrow({ where: { id: runId } })).reportPath,
          { timeout: 10_000 },
        )
        .toMatch(/\.report\.md$/);
      const run = await harness.db.prisma.run.findUniqueOrThrow({ where: { id: runId } });
      expect(existsSync(run.reportPath ?? "")).toBe(true);
      expect(run.state).toBe(terminal);
      expect(await sessionStates(runId)).toEqual(sessions);
    },
  );
});
