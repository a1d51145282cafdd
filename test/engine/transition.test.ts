// The guarded transition (DESIGN §2): a compare-and-set on (state, version). Two transitions read from
// one version race in real Postgres transactions: exactly one applies, the other writes nothing — no
// event, no outbox effect. A move the state machine does not allow is refused before anything is written.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { transitionRun } from "../../src/engine/transition.js";
import { buildMidFlightRun } from "../builders/runs.js";
import { createEngineHarness, type EngineHarness } from "../support/engine-harness.js";

let harness: EngineHarness;
beforeAll(async () => {
  harness = await createEngineHarness();
});
afterAll(() => harness.cleanup());

async function githubRun(state: "executing" | "awaiting_approval") {
  const { runId } = await buildMidFlightRun(harness.db, { state, repository: harness.gitRemote() });
  await harness.db.prisma.run.update({ where: { id: runId }, data: { installationId: 42n } });
  return harness.db.prisma.run.findUniqueOrThrow({ where: { id: runId } });
}

describe("transitionRun", () => {
  it("applies exactly one of two concurrent transitions from one version; the other writes nothing", async () => {
    const run = await githubRun("executing");
    const from = { states: [run.state], version: run.version };
    // Both transactions have read the run before either writes: a barrier holds each until both are in.
    let arrived = 0;
    let release: () => void = () => {};
    const bothIn = new Promise<void>((resolve) => {
      release = resolve;
    });
    const contender = (to: "completed" | "failed") =>
      harness.db.prisma.$transaction(async (tx) => {
        await tx.run.findUniqueOrThrow({ where: { id: run.id } });
        arrived += 1;
        if (arrived === 2) release();
        await bothIn;
        return transitionRun(tx, {
          runId: run.id,
          from,
          to,
          events: [{ type: to === "completed" ? "run.completed" : "run.failed" }],
          effects: [
            { key: `${run.id}:test:${to}`, effect: { kind: "run.status", state: to, phaseKey: null } },
          ],
        });
      });
    const results = await Promise.all([contender("completed"), contender("failed")]);
    expect(results.filter((version) => version === run.version + 1)).toHaveLength(1);
    expect(results.filter((version) => version === undefined)).toHaveLength(1);
    const winner = results[0] === undefined ? "failed" : "completed";
    const after = await harness.db.prisma.run.findUniqueOrThrow({ where: { id: run.id } });
    expect([after.state, after.version]).toEqual([winner, run.version + 1]);
    const events = await harness.db.prisma.runEvent.findMany({ where: { runId: run.id } });
    expect(events.map((event) => event.type)).toEqual([
      winner === "completed" ? "run.completed" : "run.failed",
    ]);
    const effects = await harness.db.prisma.outboxEffect.findMany({ where: { runId: run.id } });
    expect(effects.map((effect) => effect.key)).toEqual([`${run.id}:test:${winner}`]);
  });

  it("refuses a move the state machine does not allow, and writes nothing", async () => {
    const run = await githubRun("awaiting_approval");
    await expect(
      harness.db.prisma.$transaction((tx) =>
        transitionRun(tx, {
          runId: run.id,
          from: { states: [run.state], version: run.version },
          to: "preparing",
          events: [{ type: "run.started" }],
          effects: [
            { key: `${run.id}:test:bad`, effect: { kind: "run.status", state: "preparing", phaseKey: null } },
          ],
        }),
      ),
    ).rejects.toMatchObject({ code: "run_transition_not_allowed" });
    const after = await harness.db.prisma.run.findUniqueOrThrow({ where: { id: run.id } });
    expect([after.state, after.version]).toEqual(["awaiting_approval", run.version]);
    expect(await harness.db.prisma.runEvent.count({ where: { runId: run.id } })).toBe(0);
    expect(await harness.db.prisma.outboxEffect.count({ where: { runId: run.id } })).toBe(0);
  });
});
