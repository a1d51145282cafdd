// Issue 6's main path, as a user sees it: label → spec (fake agent) → /approve by a writer → implement →
// review → completed; the check run holds the final report, the draft PR is open, the sticky comment
// was edited (not re-posted). Web and worker are separate processes; GitHub is the simulator.
// And what it costs GitHub (issue 12): a standard run alone makes at most 14 calls, 10 of them writes;
// its states that last less than `github.settleSeconds` are never sent (60 here, so that the fake agent's
// phases always fit in it however loaded the machine is); the branch moves only at the gate and the end.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngineHarness, type EngineHarness, waitForRunState } from "../support/engine-harness.js";
import { type GitHubE2E, startGitHubE2E } from "../support/github-e2e.js";

const REPO = "octo/widgets";
let harness: EngineHarness;
let e2e: GitHubE2E;

beforeAll(async () => {
  harness = await createEngineHarness();
  e2e = await startGitHubE2E({
    databaseUrl: harness.db.url,
    dataDir: harness.tempDir("e2e"),
    extraConfig: "github: { settleSeconds: 60 }\n",
  });
  await e2e.sim.state.createRepository("octo", "widgets", {
    defaultBranch: "main",
    files: { "README.md": "# widgets\n" },
  });
  e2e.sim.script.setPermission(REPO, "maintainer", "write");
  e2e.sim.script.setPermission(REPO, "reader", "read");
}, 120_000);
afterAll(async () => {
  await e2e?.stop();
  await harness.cleanup();
});

async function runFor(issue: number) {
  await expect
    .poll(() => harness.db.prisma.run.count({ where: { repository: REPO, issueNumber: issue } }), {
      timeout: 20_000,
    })
    .toBe(1);
  return harness.db.prisma.run.findFirstOrThrow({ where: { repository: REPO, issueNumber: issue } });
}

describe("devflow as a GitHub App", () => {
  it("takes a labeled issue through spec, /approve, implement and review to a report in the Checks tab, in at most 14 GitHub calls", async () => {
    const { sim } = e2e;
    const firstRequest = sim.requests.length;
    const issue = sim.state.createIssue(REPO, {
      title: "Add a --verbose flag",
      body: "Print each step.",
      user: "maintainer",
    });
    const labeled = await sim.webhooks.deliver(
      "issues",
      await sim.payloads.issueLabeled({
        repo: REPO,
        issue: issue.number,
        label: "devflow",
        sender: "maintainer",
      }),
    );
    expect(labeled.status).toBe(200);
    const run = await runFor(issue.number);
    await waitForRunState(harness.db, run.id, "awaiting_approval", 60_000).catch((error) => {
      throw new Error(`${error.message}\nWORKER:\n${e2e.worker.output().slice(-3000)}`);
    });
    // The maintainer decides once GitHub shows the gate: the check run's buttons.
    await expect
      .poll(
        () =>
          [...sim.state.checkRuns.values()].some(
            (c) => c.externalId === run.id && c.actions.some((a) => a.identifier === "approve"),
          ),
        { timeout: 60_000 },
      )
      .toBe(true);

    const approve = await sim.payloads.issueCommentCreated({
      repo: REPO,
      issue: issue.number,
      body: "Looks right.\n/approve",
      sender: "maintainer",
    });
    expect((await sim.webhooks.deliver("issue_comment", approve)).status).toBe(200);
    const done = await waitForRunState(harness.db, run.id, "completed", 90_000);

    // The check run ends with the final report.
    await expect
      .poll(
        () =>
          [...sim.state.checkRuns.values()].filter(
            (c) => c.externalId === run.id && c.conclusion === "success",
          ).length,
        { timeout: 30_000 },
      )
      .toBe(1);
    const check = [...sim.state.checkRuns.values()].find(
      (c) => c.externalId === run.id && c.conclusion === "success",
    );
    expect(check?.headSha).toBe(done.headSha);
    expect(check?.output.summary).toContain(`# devflow run ${run.id}: ✅ completed`);
    // The draft PR is open and links the issue.
    const pulls = sim.state.pulls(REPO);
    expect(pulls).toHaveLength(1);
    expect(pulls[0]?.body).toContain(`Closes #${issue.number}`);
    expect(pulls[0]?.state).toBe("open");
    // One sticky status comment, edited in place.
    const sticky = sim.state.commentsOn(issue).filter((c) => c.body.includes(`devflow:run:${run.id}`));
    expect(sticky).toHaveLength(1);
    expect(sticky[0]?.history.length).toBeGreaterThan(0);
    expect(sticky[0]?.body).toContain("completed");
    // The run branch was pushed through the simulator's git, with the installation token as a header.
    expect(
      sim.state.pushes.some((push) => push.updates.some((u) => u.ref === `refs/heads/${done.branch}`)),
    ).toBe(true);
    // Nothing left to deliver; then count what the run cost GitHub (the App's hourly redelivery sweep,
    // not the run's, is left out).
    await expect
      .poll(() => harness.db.prisma.outboxEffect.count({ where: { state: "pending" } }), { timeout: 30_000 })
      .toBe(0);
    const calls = sim.requests
      .slice(firstRequest)
      .filter((r) => !r.git && !r.apiPath.startsWith("/app/hook/"))
      .map((r) => `${r.method} ${r.apiPath} → ${r.status}`);
    const writes = calls.filter((call) => !call.startsWith("GET "));
    const listed = `GitHub calls of one run (${calls.length}, ${writes.length} writes):\n${calls.join("\n")}`;
    expect(calls.length, listed).toBeLessThanOrEqual(14);
    expect(writes.length, listed).toBeLessThanOrEqual(10);
    // The sticky comment was created showing the gate (no create-then-edit, no intermediate state) and
    // edited once, at the end.
    expect(sticky[0]?.history, listed).toHaveLength(1);
    expect(sticky[0]?.history[0]).toContain("waiting for your decision");
    // Checkpoints went to the run's own ref, deleted once the run completed (the branch has the last);
    // the branch (the PR head) moved at the gate and at the end.
    const updates = () => sim.state.pushes.flatMap((push) => push.updates);
    const checkpointsOf = () => updates().filter((u) => u.ref === `refs/devflow/runs/${run.id}`);
    await expect
      .poll(() => checkpointsOf().map((u) => u.after === null))
      .toEqual([false, false, false, true]);
    const checkpoints = checkpointsOf();
    expect(checkpoints[3]?.before).toBe(done.headSha);
    expect(
      updates()
        .filter((u) => u.ref === `refs/heads/${done.branch}`)
        .map((u) => u.after),
    ).toEqual([
      (await harness.db.prisma.approvalRequest.findFirstOrThrow({ where: { runId: run.id } })).headSha,
      done.headSha,
    ]);
    // The approval is on record with who, how and when.
    const decision = await harness.db.prisma.approvalDecision.findFirstOrThrow({
      where: { approvalRequest: { runId: run.id } },
    });
    expect([decision.actor, decision.source, decision.action]).toEqual(["maintainer", "comment", "approve"]);
  }, 240_000);
});
