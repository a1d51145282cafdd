// The action when a job does not end well: a job killed mid-phase (a lost runner, a hard cancel) costs
// that phase one attempt, and the next devflow job of the repository — a manual workflow_dispatch here —
// continues the run from its last checkpoint to its gate. (The check run's buttons: github-tokens.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ActionFixture, createActionFixture, explain, REPO } from "./action-fixture.js";

let fx: ActionFixture;

beforeAll(async () => {
  // An agent slow enough to be caught mid-phase.
  fx = await createActionFixture("fake: { preset: fake, writeDelayMs: 4000 }");
}, 60_000);

afterAll(async () => {
  await fx?.cleanup();
});

describe("devflow as a GitHub Action, when a job dies", () => {
  it("continues a run whose job was killed mid-phase in the next job, from the last checkpoint to the gate", async () => {
    const { sim, client } = fx;
    const issue = sim.state.createIssue(REPO, { title: "Log each request", user: "maintainer" });
    const killed = fx.start("issues", await fx.labeledEvent(issue.number));
    // Wait until the agent has its prompt and is working, then lose the runner.
    await expect
      .poll(() => client.prisma.promptDelivery.count({ where: { run: { issueNumber: issue.number } } }), {
        timeout: 60_000,
      })
      .toBe(1);
    killed.kill();
    expect((await killed.result).code).toBe(null);
    const run = await client.prisma.run.findFirstOrThrow({ where: { issueNumber: issue.number } });
    expect(run.state).toBe("executing");

    const resumed = await fx.job("workflow_dispatch", { ref: "refs/heads/main", inputs: {} });
    expect(resumed.code, explain(resumed)).toBe(0);
    fx.expectNoSecrets(resumed);
    expect((await client.prisma.run.findUniqueOrThrow({ where: { id: run.id } })).state).toBe(
      "awaiting_approval",
    );
    const attempts = await client.prisma.phaseAttempt.findMany({
      where: { runId: run.id, phaseKey: "spec" },
      orderBy: { attempt: "asc" },
    });
    expect(attempts.map((a) => [a.attempt, a.state, a.failureCode])).toEqual([
      [1, "failed", "session_lost"],
      [2, "succeeded", null],
    ]);
    expect(resumed.summary).toContain("devflow does not act on workflow_dispatch events");
    expect(resumed.summary).toContain("`spec_approved`");
  }, 180_000);
});
