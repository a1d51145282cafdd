// Chaos (DESIGN §1, §6): Postgres is the truth, Redis only delivers. Emptying Redis mid-run loses
// nothing; restarting Postgres mid-run costs a retry, not a run; two hosts share work without either
// advancing a run the other holds.
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findRedisServer } from "../../src/server/redis-server.js";
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

async function startRuns(count: number, label: string) {
  const remote = harness.gitRemote();
  const runIds: string[] = [];
  for (let i = 0; i < count; i++) {
    const { runId } = await chaos.web.startRun({
      repository: remote,
      baseBranch: "main",
      requirements: `${label} ${i}`,
      gates: [],
    });
    runIds.push(runId);
  }
  return runIds;
}

async function attemptsPerPhase(runIds: string[]) {
  const attempts = await harness.db.prisma.phaseAttempt.findMany({ where: { runId: { in: runIds } } });
  return new Set(attempts.map((a) => `${a.phaseKey}:${a.attempt}`));
}

// Redis only (the test run's banner says whether it had one): BullMQ on Postgres keeps its jobs in the
// database that is the truth anyway.
describe.each(findRedisServer() ? ["Redis"] : [])("losing the queue (%s)", () => {
  it("FLUSHALL mid-run: every run still completes", async () => {
    if (!chaos.redis) throw new Error("the chaos harness found no redis-server");
    await chaos.worker({ hostId: harness.hostId(), agentDelayMs: 400, maxConcurrentRuns: 2 });
    const runIds = await startRuns(6, "Flushed");
    await expect
      .poll(
        () => harness.db.prisma.runEvent.count({ where: { runId: { in: runIds }, type: "prompt.sent" } }),
        { timeout: 20_000 },
      )
      .toBeGreaterThan(0);
    const redis = new Redis(chaos.redis.url);
    await redis.flushall();
    await redis.quit();
    for (const runId of runIds) await waitForRunState(harness.db, runId, "completed", 90_000);
    expect(await promptsSentTwice(harness, runIds)).toEqual([]);
    expect(await attemptsPerPhase(runIds)).toEqual(new Set(["spec:1", "implement:1", "review:1"]));
  });
});

describe("two worker hosts", () => {
  it("share the work of 20 runs and never advance a run twice", async () => {
    const hostA = harness.hostId();
    const hostB = harness.hostId();
    await chaos.worker({ hostId: hostA, agentDelayMs: 100, maxConcurrentRuns: 3 });
    await chaos.worker({ hostId: hostB, agentDelayMs: 100, maxConcurrentRuns: 3 });
    const runIds = await startRuns(20, "Shared");
    for (const runId of runIds) await waitForRunState(harness.db, runId, "completed", 120_000);

    expect(await promptsSentTwice(harness, runIds)).toEqual([]);
    expect(await attemptsPerPhase(runIds)).toEqual(new Set(["spec:1", "implement:1", "review:1"]));
    const started = await harness.db.prisma.runEvent.findMany({
      where: { runId: { in: runIds }, type: "run.started" },
    });
    expect(started).toHaveLength(20);
    const hosts = new Set(started.map((event) => (event.payload as { hostId: string }).hostId));
    // Both new hosts took runs (a worker from an earlier test of this file may have taken some too).
    expect(hosts.has(hostA) && hosts.has(hostB)).toBe(true);
  });
});
