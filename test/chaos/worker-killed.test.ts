// Chaos (DESIGN §6): a worker SIGKILLed mid-phase; a new worker on the same host resumes the agent's
// session and the run completes, with no prompt sent twice.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChaosHarness, createChaosHarness, promptsSentTwice } from "../support/chaos-harness.js";
import { createEngineHarness, type EngineHarness, waitForRunState } from "../support/engine-harness.js";

let harness: EngineHarness;
let chaos: ChaosHarness;
beforeAll(async () => {
  harness = await createEngineHarness();
  chaos = await createChaosHarness(harness);
});
afterAll(async () => {
  await chaos.stop();
  await harness.cleanup();
});

describe("a worker killed mid-phase", () => {
  it("is replaced by a new worker on the same host that resumes the session and completes the run", async () => {
    const hostId = harness.hostId();
    const dataDir = harness.tempDir("host");
    const first = await chaos.worker({ hostId, dataDir, agentDelayMs: 2_500 });
    const { runId } = await chaos.web.startRun({
      repository: harness.gitRemote(),
      baseBranch: "main",
      requirements: "Survive a crash",
      gates: [],
    });
    await expect
      .poll(() => harness.db.prisma.runEvent.count({ where: { runId, type: "prompt.sent" } }), {
        timeout: 20_000,
      })
      .toBe(1);

    first.child.kill("SIGKILL"); // the agent (a detached process) keeps working, as a real one in tmux would
    await first.exited;
    await chaos.worker({ hostId, dataDir, agentDelayMs: 2_500 });

    await waitForRunState(harness.db, runId, "completed", 100_000);
    expect(await promptsSentTwice(harness, [runId])).toEqual([]);
    const attempts = await harness.db.prisma.phaseAttempt.findMany({ where: { runId } });
    expect(attempts.map((a) => [a.phaseKey, a.attempt, a.state]).sort()).toEqual([
      ["implement", 1, "succeeded"],
      ["review", 1, "succeeded"],
      ["spec", 1, "succeeded"],
    ]);
    const spec = await harness.db.prisma.session.findMany({ where: { runId, roleId: "spec_writer" } });
    expect(spec).toHaveLength(1); // resumed, not replaced
  });
});
