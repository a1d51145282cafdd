// Per-role agent choice (DESIGN §4): the operator defines the agents; a run may name one per role (a
// repository's `.github/devflow.yml` `agents`); every other role gets the default agent.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeSessionAdapter } from "../../src/sessions/fake-adapter.js";
import { createEngineHarness, type EngineHarness, waitForRunState } from "../support/engine-harness.js";

let harness: EngineHarness;
beforeAll(async () => {
  harness = await createEngineHarness();
});
afterAll(() => harness.cleanup());

/** A fake agent whose sessions carry its name in their pane id, so a test can tell who ran a role. */
function namedAgent(name: string) {
  let n = 0;
  return new FakeSessionAdapter({ writeDelayMs: 5, sessionIdFactory: () => `${name}-${n++}` });
}

describe("choosing an agent per role", () => {
  it("runs each role with the agent the run chose for it, and the default agent for the rest", async () => {
    const primary = namedAgent("primary");
    const agents = new Map([
      ["primary", primary],
      ["second", namedAgent("second")],
    ]);
    const worker = await harness.worker({
      queue: { backend: "postgres", connectionString: harness.db.url },
      adapter: primary,
      agents,
      defaultAgent: "primary",
    });
    const { runId } = await worker.engine.startRun({
      repository: harness.gitRemote(),
      baseBranch: "main",
      requirements: "Two agents",
      gates: [],
      // `retired` is not an agent of this host any more: that role falls back to the default.
      agents: { implementer: "second", reviewer: "retired" },
    });
    await waitForRunState(harness.db, runId, "completed", 60_000);
    const sessions = await harness.db.prisma.session.findMany({
      where: { runId },
      orderBy: { createdAt: "asc" },
    });
    expect(sessions.map((s) => [s.roleId, s.agent, s.paneId?.replace(/-\d+$/, "")])).toEqual([
      ["spec_writer", "primary", "primary"],
      ["implementer", "second", "second"],
      ["reviewer", "primary", "primary"],
    ]);
    const run = await harness.db.prisma.run.findUniqueOrThrow({ where: { id: runId } });
    expect(run.agents).toEqual({ implementer: "second", reviewer: "retired" });
  });

  it("refuses a choice for a role the template does not have, and writes nothing", async () => {
    const worker = await harness.worker({ queue: { backend: "postgres", connectionString: harness.db.url } });
    const before = await harness.db.prisma.run.count();
    await expect(
      worker.engine.startRun({
        repository: harness.gitRemote(),
        baseBranch: "main",
        requirements: "Bad role",
        agents: { implementor: "second" },
      }),
    ).rejects.toMatchObject({
      code: "run_input_invalid",
      message: expect.stringContaining('no role "implementor"'),
      recoveryHint: expect.stringContaining("implementer"),
    });
    expect(await harness.db.prisma.run.count()).toBe(before);
  });
});
