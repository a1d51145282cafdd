// Artifacts decide when a phase is done (DESIGN §2, §4): invalid ones are rejected in words and the agent
// re-prompted; timeouts and crashes cost an attempt; a review asking for changes goes back to the implementer.
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
let adapter: FakeSessionAdapter;
beforeAll(async () => {
  harness = await createEngineHarness();
});
afterAll(() => harness.cleanup());

async function start(scenarios: Record<string, string | string[]>, gates?: string[]) {
  const { runId } = await worker.engine.startRun({
    repository: harness.gitRemote(),
    baseBranch: "main",
    requirements: "Add a flag",
    scenarios,
    ...(gates ? { gates } : {}),
  });
  return runId;
}

async function attempts(runId: string, phaseKey: string) {
  const rows = await harness.db.prisma.phaseAttempt.findMany({
    where: { runId, phaseKey },
    orderBy: { attempt: "asc" },
  });
  return rows.map((row) => [row.attempt, row.state, row.failureCode]);
}

describe.each(queueBackends())("phase attempts with BullMQ on $name", (backend) => {
  beforeAll(async () => {
    adapter = new FakeSessionAdapter({ writeDelayMs: 5 });
    worker = await harness.worker({ queue: backend.connection(harness.db), adapter, phaseTimeoutMs: 1_500 });
  });
  afterAll(() => worker.stop());

  it("rejects an invalid artifact with its problems in words, re-prompts, and accepts the fixed one", async () => {
    const runId = await start({ spec: "invalid" });
    await waitForRunState(harness.db, runId, "awaiting_approval");
    const rejected = await harness.db.prisma.runEvent.findFirstOrThrow({
      where: { runId, type: "artifact.rejected" },
    });
    expect(rejected.payload).toMatchObject({ problems: ['$: missing required property "summary"'] });
    const prompts = adapter.prompts.filter((p) => p.runId === runId && p.phaseKey === "spec");
    expect(prompts.map((p) => p.dedupKey)).toEqual([`${runId}:spec:1:0`, `${runId}:spec:1:1`]);
    expect(prompts[1]?.instructions).toContain('- $: missing required property "summary"');
    expect(await attempts(runId, "spec")).toEqual([[1, "succeeded", null]]);
  });

  it("fails an attempt whose artifact stays invalid after three prompts, then succeeds on the next", async () => {
    const runId = await start({ spec: ["invalid-always", "ok"] });
    await waitForRunState(harness.db, runId, "awaiting_approval");
    expect(await attempts(runId, "spec")).toEqual([
      [1, "failed", "artifact_invalid"],
      [2, "succeeded", null],
    ]);
  });

  it("fails an attempt that times out and starts a fresh session for the next", async () => {
    const runId = await start({ spec: ["timeout", "ok"] });
    await waitForRunState(harness.db, runId, "awaiting_approval");
    expect(await attempts(runId, "spec")).toEqual([
      [1, "failed", "artifact_timeout"],
      [2, "succeeded", null],
    ]);
    const sessions = await harness.db.prisma.session.findMany({
      where: { runId },
      orderBy: { createdAt: "asc" },
    });
    expect(sessions).toHaveLength(2);
  });

  it("fails the run when every attempt of a phase fails, with a reason a human can read", async () => {
    const runId = await start({ spec: "crash" });
    const run = await waitForRunState(harness.db, runId, "failed");
    expect(run.failureCode).toBe("phase_attempts_exhausted");
    expect(run.failureReason).toContain('"spec" used all 3 attempts');
    expect((await attempts(runId, "spec")).map((a) => a[2])).toEqual([
      "session_crashed",
      "session_crashed",
      "session_crashed",
    ]);
  });

  it("sends a review that requests changes back to the implementer with the findings", async () => {
    const runId = await start({ review: "review-changes" }, []);
    await waitForRunState(harness.db, runId, "completed");
    expect(await attempts(runId, "implement")).toEqual([
      [1, "succeeded", null],
      [2, "succeeded", null],
    ]);
    const second = adapter.prompts.find(
      (p) => p.runId === runId && p.phaseKey === "implement" && p.attempt === 2,
    );
    expect(second?.instructions).toContain("Review requested changes");
    const types = await eventTypes(harness.db, runId);
    expect(types.filter((t) => t === "approval.requested")).toEqual([]); // gates turned off for this run
  });
});

describe("an attempt whose deadline passed before its wait began", () => {
  it("is reported as the crash it was, not as a timeout", async () => {
    // On a busy host, starting the session can outlast a short phase timeout: the agent that died in the
    // meantime must still be named as having crashed.
    const queue = { backend: "postgres" as const, connectionString: harness.db.url };
    adapter = new FakeSessionAdapter({ writeDelayMs: 5 });
    worker = await harness.worker({ queue, adapter, phaseTimeoutMs: 1 });
    try {
      const runId = await start({ spec: "crash" });
      const run = await waitForRunState(harness.db, runId, "failed");
      expect(run.failureCode).toBe("phase_attempts_exhausted");
      expect((await attempts(runId, "spec")).map((a) => a[2])).toEqual([
        "session_crashed",
        "session_crashed",
        "session_crashed",
      ]);
    } finally {
      await worker.stop();
    }
  });
});
